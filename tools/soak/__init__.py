"""The soak: a bounded load with a tenant-leak detector (tools/soak/README.md)."""

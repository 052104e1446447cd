"""The graph module: node types with JSON Schema, JSONB nodes and relationships."""

"""The code location's definitions: `dagster dev -m pipeline.definitions` (or `just pipeline`).

Empty for now; assets and jobs join here as data work arrives.
"""

import dagster as dg

defs = dg.Definitions()

"""`just codegen-rpc`: each app's routes -> contract JSON, OpenAPI 3.1 and a typed TypeScript client."""

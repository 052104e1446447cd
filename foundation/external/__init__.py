"""Clients for the services outside Blossom (OpenAI, Slack, Google Sheets), each a small typed
facade on the service's official SDK, and the LLM cache. See README.md."""

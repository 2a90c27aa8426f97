"""The Starlette app: sessions API, QStash webhook and health check."""

"""PostgreSQL persistence: typed ORM models, engine, embedded server and migrations."""

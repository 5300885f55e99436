"""Storage: one interface (``database.Database``), an SQLite and a PostgreSQL engine, migrations."""

"""Storage: SQLite through aiosqlite, one writer task per database, versioned migrations."""

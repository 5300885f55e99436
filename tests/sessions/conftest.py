"""An opened store of each engine for the service tests (the same fixtures as tests/store)."""

from tests.store.conftest import db, db_url

__all__ = ["db", "db_url"]

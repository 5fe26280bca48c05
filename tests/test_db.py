"""The database: migrations match the models, an older database is upgraded with one notice, bad URLs."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from monitor.db import _alembic_config, create_db_engine, current_revision, head_revision, migrate
from monitor.errors import DatabaseError
from monitor.schema import Base


def test_migrations_build_exactly_the_models(db_url: str) -> None:
    engine = create_db_engine(db_url)
    migrate(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    assert current_revision(engine) == head_revision()


def test_older_database_is_upgraded_with_one_notice(db_url: str) -> None:
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(text("INSERT INTO files (sha256, size, content, first_name, stored_at) "
                          "VALUES ('x', 1, :c, 'a.xlsx', '2023-11-01 00:00:00')"), {"c": b"x"})
        conn.execute(text("INSERT INTO submissions (file_name, sha256, dedupe_key, received_at, ingested_at, "
                          "status, is_template, rows_accepted, rows_rejected, errors, warnings) VALUES "
                          "('a.xlsx', 'x', 'x||', '2023-11-01 00:00:00', '2023-11-01 00:00:00', 'rejected', "
                          "false, 0, 0, 1, 0)"))
    notices: list[str] = []
    migrate(engine, notices.append)
    assert notices == [f"Upgrading database schema from 0001 to {head_revision()}."]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT kind FROM submissions")).scalar_one() == "town_report"
    migrate(engine, notices.append)
    assert len(notices) == 1  # already current: silent


def test_foreign_tables_are_refused(sqlite_url: str) -> None:
    engine = create_db_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE something_else (x INTEGER)"))
    with pytest.raises(DatabaseError, match="not fundmon's"):
        migrate(engine)


def test_sqlite_uses_wal(sqlite_url: str) -> None:
    engine = create_db_engine(sqlite_url)
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert "report_rows" in inspect(conn).get_table_names()


@pytest.mark.parametrize("url", ["nonsense", "mysql://x/y", "sqlite:////no/such/dir/x.db"])
def test_bad_urls_are_database_errors(url: str) -> None:
    with pytest.raises(DatabaseError):
        migrate(create_db_engine(url))

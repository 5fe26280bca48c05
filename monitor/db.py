"""Opening the database: engine, SQLite pragmas, and Alembic migrations applied on first use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import DatabaseError

MIGRATIONS = Path(__file__).with_name("migrations")


def _alembic_config(connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    config = _alembic_config(None)
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    import sqlite3
    import time

    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    for attempt in range(150):  # switching to WAL ignores the busy timeout: another process may be doing it
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError:
            if attempt == 149:
                raise
            time.sleep(0.2)
    cursor.close()


def create_db_engine(url: str, *, allow_memory: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {url!r} (e.g. sqlite:///fundmon.db)") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.database in (None, "", ":memory:") and not allow_memory:
        raise DatabaseError(f"{url!r} is an in-memory database that keeps nothing: give a file, "
                            "e.g. sqlite:///fundmon.db")
    if backend not in {"sqlite", "postgresql"}:
        raise DatabaseError(f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise DatabaseError(f"folder for the database does not exist: {folder}")
    try:
        engine = create_engine(parsed, future=True)
    except (SQLAlchemyError, ImportError) as exc:
        raise DatabaseError(f"cannot open database {parsed.render_as_string()}: {exc}") from exc
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(engine: Engine, notify: Callable[[str], None] | None = None) -> None:
    """Bring the schema to the newest revision; say so in one line when an older database is upgraded.

    Two processes starting at once on a new database must not both create it: the check and the upgrade
    run in one transaction that first takes the database's write lock (see :func:`_lock_schema`).
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    try:
        head = head_revision()
        if current_revision(engine) == head:
            return
        with engine.begin() as conn:
            _lock_schema(conn)
            current = MigrationContext.configure(conn).get_current_revision()
            if current == head:
                return  # another process migrated while this one waited
            if current is None and set(inspect(conn).get_table_names()):
                raise DatabaseError("the database holds tables that are not fundmon's; use an empty database")
            if current is not None and notify:
                notify(f"Upgrading database schema from {current} to {head}.")
            command.upgrade(_alembic_config(conn), "head")
    except OperationalError as exc:
        detail = " ".join(str(exc.orig).split())  # one line, whatever the driver printed
        raise DatabaseError(f"cannot use database {engine.url.render_as_string()}: {detail}") from exc
    except SQLAlchemyError as exc:
        raise DatabaseError(f"database error while migrating: {' '.join(str(exc).split())[:300]}") from exc


def _lock_schema(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOAD_LOCK_KEY + 1})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite has not begun yet: take the write lock now


def open_database(url: str, notify: Callable[[str], None] | None = None, *,
                  allow_memory: bool = False) -> sessionmaker[Session]:
    """Engine + migrations + a session factory: the one way the application opens its database."""
    engine = create_db_engine(url, allow_memory=allow_memory)
    migrate(engine, notify)
    return sessionmaker(engine, expire_on_commit=False)


#: any number: PostgreSQL advisory lock key under which one file at a time is loaded
LOAD_LOCK_KEY = 7_727_274


def lock_for_load(session: Session) -> None:
    """Serialise loads across processes: the first statement of a file's transaction takes the write lock.

    Two ingests at once must not both create a town or a project, or both supersede the same file.
    PostgreSQL: a transaction-scoped advisory lock. SQLite: a write statement that changes nothing takes
    the database's single write lock now (and the busy timeout waits for another writer to finish).
    """
    backend = session.get_bind().dialect.name
    if backend == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOAD_LOCK_KEY})
    elif backend == "sqlite":
        session.execute(text("DELETE FROM files WHERE 0 = 1"))


def open_existing(url: str) -> sessionmaker[Session] | None:
    """The database when it exists and is current, else None — for reading without changing anything."""
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and not (parsed.database and Path(parsed.database).is_file()):
            return None
        engine = create_db_engine(url)
        if current_revision(engine) != head_revision():
            return None
    except (DatabaseError, SQLAlchemyError, ArgumentError):
        return None
    return sessionmaker(engine, expire_on_commit=False)

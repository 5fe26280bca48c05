"""Alembic environment: runs on the connection fundmon hands over (see monitor.db.migrate)."""

from alembic import context

from monitor.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - fundmon always passes its connection
    raise RuntimeError("run migrations through monitor.db.migrate()")


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    """APScheduler keeps its own job table in the same database (see monitor/scheduler): not ours to manage."""
    return not (type_ == "table" and name and name.startswith("apscheduler_"))


context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  include_object=include_object)
with context.begin_transaction():
    context.run_migrations()

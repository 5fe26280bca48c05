"""Alembic environment: runs on the connection fundmon hands over (see monitor.db.migrate)."""

from alembic import context

from monitor.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - fundmon always passes its connection
    raise RuntimeError("run migrations through monitor.db.migrate()")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

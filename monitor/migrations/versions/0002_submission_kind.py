"""submissions.kind: a town's monthly report or the bureau's project register

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="town_report"))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("kind")

"""letters and letter_projects: the letter register (发函登记)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("town", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
        sa.UniqueConstraint("number", name=op.f("uq_letters_number")),
        sa.UniqueConstraint("year", "seq", name="uq_letters_year_seq"),
    )
    op.create_index(op.f("ix_letters_day"), "letters", ["day"])
    op.create_index(op.f("ix_letters_period"), "letters", ["period"])
    op.create_table(
        "letter_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("project_name", sa.String(length=500), nullable=False),
        sa.Column("project_code", sa.String(length=100), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("cites_letter_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["letter_id"], ["letters.id"], ondelete="CASCADE",
                                name=op.f("fk_letter_projects_letter_id_letters")),
        sa.ForeignKeyConstraint(["cites_letter_id"], ["letters.id"],
                                name=op.f("fk_letter_projects_cites_letter_id_letters")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_projects")),
        sa.UniqueConstraint("project_id", "period", "channel", name="uq_letter_projects_project_period"),
    )
    op.create_index(op.f("ix_letter_projects_letter_id"), "letter_projects", ["letter_id"])
    op.create_index(op.f("ix_letter_projects_project_id"), "letter_projects", ["project_id"])


def downgrade() -> None:
    op.drop_table("letter_projects")
    op.drop_table("letters")

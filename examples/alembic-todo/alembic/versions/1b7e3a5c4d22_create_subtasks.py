"""create subtasks

Checklists inside a task.

Revision ID: 1b7e3a5c4d22
Revises: 0a1f6c2d9b11
Create Date: 2026-01-12 14:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "1b7e3a5c4d22"
down_revision: Union[str, Sequence[str], None] = "0a1f6c2d9b11"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "subtasks",
        sa.Column("id", postgresql.UUID(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("task_id", postgresql.UUID(), sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("subtasks_task_id_idx", "subtasks", ["task_id"])


def downgrade() -> None:
    op.drop_table("subtasks")

"""priorities contract

Priority, step 3 of 3 (contract): the reference is now required and the text column goes. The
downgrade brings the text column back from the reference (normalized labels).

Revision ID: 6a4d8cae9f77
Revises: 5f3c7b9d8e66
Create Date: 2026-03-09 09:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "6a4d8cae9f77"
down_revision: Union[str, Sequence[str], None] = "5f3c7b9d8e66"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.alter_column("tasks", "priority_id", server_default="2", nullable=False)
    op.drop_column("tasks", "priority")
    op.create_index("tasks_priority_id_idx", "tasks", ["priority_id"])


def downgrade() -> None:
    op.drop_index("tasks_priority_id_idx", table_name="tasks")
    op.add_column("tasks", sa.Column("priority", sa.Text(), nullable=False, server_default="medium"))
    op.execute("UPDATE tasks AS t SET priority = p.name FROM priorities AS p WHERE p.id = t.priority_id")
    op.alter_column("tasks", "priority_id", server_default=None, nullable=True)

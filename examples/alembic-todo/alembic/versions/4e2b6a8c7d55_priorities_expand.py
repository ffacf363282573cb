"""priorities expand

Priority, step 1 of 3 (expand): a reference table and a nullable column next to the old text.
The app keeps writing the text column until the contract step.

Revision ID: 4e2b6a8c7d55
Revises: 3d1a5f7b6c44
Create Date: 2026-03-02 11:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "4e2b6a8c7d55"
down_revision: Union[str, Sequence[str], None] = "3d1a5f7b6c44"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    priorities = op.create_table(
        "priorities",
        sa.Column("id", sa.SmallInteger(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.Text(), nullable=False, unique=True),
        sa.Column("rank", sa.SmallInteger(), nullable=False, unique=True),
    )
    op.bulk_insert(
        priorities,
        [
            {"id": 1, "name": "low", "rank": 10},
            {"id": 2, "name": "medium", "rank": 20},
            {"id": 3, "name": "high", "rank": 30},
            {"id": 4, "name": "urgent", "rank": 40},
        ],
    )
    op.add_column("tasks", sa.Column("priority_id", sa.SmallInteger(), sa.ForeignKey("priorities.id")))


def downgrade() -> None:
    op.drop_column("tasks", "priority_id")
    op.drop_table("priorities")

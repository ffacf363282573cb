"""add categories

Per-user categories. Deleting a category keeps its tasks (uncategorized): ON DELETE SET NULL.
Everyone starts with Work and Personal; tasks tagged so are filed there.

Revision ID: 7b5e9dbfa088
Revises: 6a4d8cae9f77
Create Date: 2026-03-16 15:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7b5e9dbfa088"
down_revision: Union[str, Sequence[str], None] = "6a4d8cae9f77"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", postgresql.UUID(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("owner_id", postgresql.UUID(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.UniqueConstraint("owner_id", "name"),
    )
    op.add_column(
        "tasks",
        sa.Column("category_id", postgresql.UUID(), sa.ForeignKey("categories.id", ondelete="SET NULL")),
    )
    op.create_index("tasks_category_id_idx", "tasks", ["category_id"])
    op.execute(
        """
        INSERT INTO categories (owner_id, name)
        SELECT u.id, c.name FROM users AS u CROSS JOIN (VALUES ('Work'), ('Personal')) AS c (name)
        """
    )
    op.execute(
        """
        UPDATE tasks AS t
           SET category_id = c.id
          FROM categories AS c
         WHERE c.owner_id = t.owner_id
           AND c.name = CASE WHEN 'work' = ANY (t.tags) THEN 'Work'
                             WHEN 'personal' = ANY (t.tags) THEN 'Personal' END
        """
    )


def downgrade() -> None:
    op.drop_column("tasks", "category_id")
    op.drop_table("categories")

"""tags to array

Tags become a real text[] (filterable with a GIN index) instead of "bug, urgent" strings. An audit
table keeps each task's original string and its normalized tag list, computed independently of the
conversion; scripts/tags.sql compares the two. The downgrade joins the array back into "a, b".

Revision ID: 3d1a5f7b6c44
Revises: 2c9d4e6f5a33
Create Date: 2026-02-17 09:30:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3d1a5f7b6c44"
down_revision: Union[str, Sequence[str], None] = "2c9d4e6f5a33"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "tag_conversion_audit",
        sa.Column("task_id", postgresql.UUID(), sa.ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tags_text", sa.Text(), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
    )
    op.execute(
        """
        INSERT INTO tag_conversion_audit (task_id, tags_text, normalized)
        SELECT t.id, t.tags,
               coalesce((SELECT string_agg(btrim(tag), ',' ORDER BY btrim(tag))
                           FROM unnest(string_to_array(t.tags, ',')) AS tag
                          WHERE btrim(tag) <> ''), '')
          FROM tasks AS t
         WHERE t.tags IS NOT NULL
        """
    )
    # ALTER ... USING cannot hold a subquery: split on commas with surrounding blanks, drop empties.
    op.alter_column(
        "tasks",
        "tags",
        type_=postgresql.ARRAY(sa.Text()),
        postgresql_using=r"array_remove(regexp_split_to_array(btrim(tags, E' ,\t'), E'\\s*,\\s*'), '')",
    )
    op.create_index("tasks_tags_idx", "tasks", ["tags"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("tasks_tags_idx", table_name="tasks")
    op.alter_column("tasks", "tags", type_=sa.Text(), postgresql_using="array_to_string(tags, ', ')")
    op.drop_table("tag_conversion_audit")

"""priorities backfill

Priority, step 2 of 3 (backfill): map the free-text labels ("High", " medium", "asap", "") onto the
reference table; anything unrecognized becomes medium.

Revision ID: 5f3c7b9d8e66
Revises: 4e2b6a8c7d55
Create Date: 2026-03-02 11:30:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = "5f3c7b9d8e66"
down_revision: Union[str, Sequence[str], None] = "4e2b6a8c7d55"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute(
        """
        UPDATE tasks AS t
           SET priority_id = coalesce(
                 (SELECT p.id FROM priorities AS p
                   WHERE p.name = CASE lower(btrim(t.priority)) WHEN 'asap' THEN 'urgent'
                                  ELSE lower(btrim(t.priority)) END),
                 2)
         WHERE t.priority_id IS NULL
        """
    )


def downgrade() -> None:
    op.execute("UPDATE tasks SET priority_id = NULL")

"""priorities backfill

Priority, step 2 of 3 (backfill): map the free-text labels ("High", " medium", "asap", "") onto the
reference table; anything unrecognized becomes medium. Batched (app/backfill.py): each batch of
tasks is its own short transaction, so the app's writes to tasks wait at most one batch, and a run
killed half-way continues where it stopped.

Revision ID: 5f3c7b9d8e66
Revises: 4e2b6a8c7d55
Create Date: 2026-03-02 11:30:00

"""
from typing import Sequence, Union

from alembic import op

from app.backfill import batched_backfill

revision: str = "5f3c7b9d8e66"
down_revision: Union[str, Sequence[str], None] = "4e2b6a8c7d55"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    batched_backfill(
        table="tasks",
        alias="t",
        key="id",
        set_sql="""priority_id = coalesce(
                 (SELECT p.id FROM priorities AS p
                   WHERE p.name = CASE lower(btrim(t.priority)) WHEN 'asap' THEN 'urgent'
                                  ELSE lower(btrim(t.priority)) END),
                 2)""",
        where="t.priority_id IS NULL",
        batch_size=5000,
    )


def downgrade() -> None:
    op.execute("UPDATE tasks SET priority_id = NULL")

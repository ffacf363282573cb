"""add subtask_count

The task list shows "3 subtasks": denormalize the count onto tasks, backfill it from the existing
subtasks, and keep it right from now on with a trigger.

Revision ID: 2c9d4e6f5a33
Revises: 1b7e3a5c4d22
Create Date: 2026-02-03 10:15:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "2c9d4e6f5a33"
down_revision: Union[str, Sequence[str], None] = "1b7e3a5c4d22"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("subtask_count", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        """
        UPDATE tasks AS t
           SET subtask_count = s.n
          FROM (SELECT task_id, count(*)::integer AS n FROM subtasks GROUP BY task_id) AS s
         WHERE s.task_id = t.id
        """
    )
    op.execute(
        """
        CREATE FUNCTION maintain_subtask_count() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE tasks SET subtask_count = subtask_count - 1 WHERE id = OLD.task_id;
          END IF;
          IF TG_OP IN ('INSERT', 'UPDATE') THEN
            UPDATE tasks SET subtask_count = subtask_count + 1 WHERE id = NEW.task_id;
          END IF;
          RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER subtasks_maintain_count
          AFTER INSERT OR DELETE OR UPDATE OF task_id ON subtasks
          FOR EACH ROW EXECUTE FUNCTION maintain_subtask_count()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER subtasks_maintain_count ON subtasks")
    op.execute("DROP FUNCTION maintain_subtask_count()")
    op.drop_column("tasks", "subtask_count")

"""import legacy tasks

Data migration: import the legacy to-do app's task list (data/legacy-tasks.json,
{id:int, title, description, completed}) into tasks with new UUID keys, owned by a "legacy import"
user. legacy_task_map keeps old id -> new id so old links can be redirected, and
legacy_import_summary records the counts (scripts/legacy-import.sql checks them).

Revision ID: 8c6faec0b199
Revises: 7b5e9dbfa088
Create Date: 2026-03-23 12:00:00

"""
import json
from pathlib import Path
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8c6faec0b199"
down_revision: Union[str, Sequence[str], None] = "7b5e9dbfa088"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SOURCE = "data/legacy-tasks.json"
OWNER_EMAIL = "legacy-import@example.com"


def read_legacy_tasks() -> list[dict]:
    rows = json.loads((Path(__file__).resolve().parents[2] / SOURCE).read_text())
    seen: set[int] = set()
    for i, r in enumerate(rows):
        if not isinstance(r.get("id"), int) or not str(r.get("title") or "").strip() or not isinstance(r.get("completed"), bool):
            raise ValueError(f"{SOURCE}: entry {i} is not {{id:int, title, description, completed}}")
        if r["id"] in seen:
            raise ValueError(f"{SOURCE}: legacy id {r['id']} appears twice")
        seen.add(r["id"])
    return rows


def upgrade() -> None:
    legacy = read_legacy_tasks()
    op.create_table(
        "legacy_task_map",
        sa.Column("legacy_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("task_id", postgresql.UUID(), sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("legacy_title", sa.Text(), nullable=False),
    )
    op.create_table(
        "legacy_import_summary",
        sa.Column("source", sa.Text(), primary_key=True),
        sa.Column("rows_in_file", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("created_owner", sa.Boolean(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    )
    # One statement (so `alembic upgrade --sql` can print it too): the owner is created when
    # missing, each legacy row draws its new key once and that key goes to both tasks and the map.
    op.execute(
        sa.text(
            """
            WITH existing AS (SELECT id FROM users WHERE email = :owner_email),
                 created AS (
                   INSERT INTO users (email, name) SELECT :owner_email, 'Legacy import'
                    WHERE NOT EXISTS (SELECT 1 FROM existing) RETURNING id),
                 owner AS (SELECT id FROM existing UNION ALL SELECT id FROM created),
                 src AS MATERIALIZED (
                   SELECT gen_random_uuid() AS task_id, x.*
                     FROM jsonb_to_recordset(CAST(:legacy AS jsonb))
                          AS x (id integer, title text, description text, completed boolean)),
                 tasks_in AS (
                   INSERT INTO tasks (id, owner_id, title, description, completed, tags)
                   SELECT src.task_id, owner.id, src.title, nullif(src.description, ''), src.completed, ARRAY['legacy']
                     FROM src, owner
                   RETURNING id, completed),
                 map_in AS (
                   INSERT INTO legacy_task_map (legacy_id, task_id, legacy_title)
                   SELECT id, task_id, title FROM src RETURNING 1)
            INSERT INTO legacy_import_summary (source, rows_in_file, imported, completed, created_owner)
            SELECT :source, :rows_in_file,
                   (SELECT count(*) FROM tasks_in), (SELECT count(*) FILTER (WHERE completed) FROM tasks_in),
                   EXISTS (SELECT 1 FROM created)
            """
        ).bindparams(owner_email=OWNER_EMAIL, legacy=json.dumps(legacy), source=SOURCE, rows_in_file=len(legacy))
    )


def downgrade() -> None:
    op.execute("DELETE FROM tasks WHERE id IN (SELECT task_id FROM legacy_task_map)")
    op.execute(
        sa.text(
            "DELETE FROM users WHERE email = :owner_email"
            " AND (SELECT created_owner FROM legacy_import_summary WHERE source = :source)"
        ).bindparams(owner_email=OWNER_EMAIL, source=SOURCE)
    )
    op.drop_table("legacy_task_map")
    op.drop_table("legacy_import_summary")

"""Batched backfills for Alembic revisions: the expand → backfill → contract pattern without long locks.

Call it from a revision's upgrade():

    from app.backfill import batched_backfill

    def upgrade() -> None:
        batched_backfill(table="tasks", key="id", set_sql="priority_id = 2", where="priority_id IS NULL")

Each batch is one UPDATE of the next `batch_size` keys that are not yet done, committed on its own
(inside Alembic's autocommit block) under a short lock_timeout, so a concurrent writer waits at
most one batch. A batch that cannot get its row locks gives way and is retried with backoff. The
batch size follows a target batch time. `where` is the "not yet done" predicate: it keeps the
backfill idempotent, so a run killed half-way continues where the rows say it stopped when the
revision runs again (a committed batch is never redone), and a final pass fills rows that
concurrent writers inserted behind the walk. In offline mode (`alembic upgrade --sql`, which
`neon-migrate plan --sql` prints) it emits the equivalent single UPDATE.

neon-migrate's own SQL/TS migrations get the same thing with progress stored in
`neon_migrate.backfills` (`-- neon-migrate:backfill table=… key=…`); this helper keeps no state
outside the table itself, so it works with any Alembic project.
"""
import random
import sys
import time

from alembic import op
from sqlalchemy import exc, text

LOCK_NOT_AVAILABLE = "55P03"
RETRYABLE = {LOCK_NOT_AVAILABLE, "40001", "40P01"}


def _sqlstate(err: exc.DBAPIError) -> str:
    return getattr(err.orig, "pgcode", None) or ""


def batched_backfill(
    *,
    table: str,
    key: str,
    set_sql: str,
    where: str,
    batch_size: int = 5000,
    target_batch_ms: int = 50,
    lock_timeout_ms: int = 200,
    pause_ms: int = 0,
    max_attempts: int = 12,
    max_passes: int = 5,
    alias: str | None = None,
) -> int:
    """Fill `table` batch by batch over ranges of `key` (any ordered key, uuid too; never OFFSET); returns the rows filled."""
    target = f"{table} AS {alias or table}"
    ref = f"{alias or table}.{key}"

    if op.get_context().as_sql:
        # Offline SQL: what the batches do together, as one statement a reader can review.
        op.execute(f"-- neon-migrate: batched backfill of {table} by {key}, {batch_size} rows per batch\n"
                   f"UPDATE {target} SET {set_sql} WHERE {where}")
        return 0

    def batch_sql(after_clause: str):
        return text(
            f"""WITH batch AS MATERIALIZED (
                  SELECT {ref} AS k FROM {target} WHERE ({where}){after_clause} ORDER BY 1 LIMIT :n
                ), filled AS (
                  UPDATE {target} SET {set_sql} WHERE ({where}) AND {ref} IN (SELECT k FROM batch) RETURNING 1
                )
                SELECT (SELECT k FROM batch ORDER BY k DESC LIMIT 1) AS hi, (SELECT count(*) FROM filled) AS rows"""
        )

    first, following = batch_sql(""), batch_sql(f" AND {ref} > :after")
    with op.get_context().autocommit_block():
        conn = op.get_bind()
        total = conn.execute(text(f"SELECT count(*) FROM {target} WHERE {where}")).scalar_one()
        conn.execute(text(f"SET lock_timeout = '{int(lock_timeout_ms)}ms'"))
        started = time.monotonic()
        last_report = started
        filled = 0
        size = batch_size
        try:
            for _ in range(max_passes):
                after = None
                while True:
                    t0 = time.monotonic()
                    params = {"n": size} if after is None else {"n": size, "after": str(after)}
                    hi, rows = _run_batch(conn, first if after is None else following, params, max_attempts)
                    if hi is None:
                        break
                    after = hi
                    filled += rows
                    ms = (time.monotonic() - t0) * 1000
                    # Aim the next batch at the target time, changing by at most 2x per step.
                    size = max(10, min(100_000, size * 2, max(size // 2, round(size * target_batch_ms / max(ms, 1)))))
                    now = time.monotonic()
                    if now - last_report >= 2:
                        last_report = now
                        rate = filled / (now - started)
                        print(f"backfill {table}: {filled}/{total} rows, {rate:,.0f} rows/s", file=sys.stderr)
                    if pause_ms:
                        time.sleep(pause_ms / 1000)
                # Rows inserted behind the walk by concurrent writers: walk again while any is left.
                left = conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {target} WHERE {where})")).scalar_one()
                if not left:
                    break
        finally:
            conn.execute(text("RESET lock_timeout"))
        seconds = time.monotonic() - started
        print(f"backfill {table}: {filled} rows in {seconds:.1f}s", file=sys.stderr)
        return filled


def _run_batch(conn, batch, params: dict, max_attempts: int):
    """One batch, its own transaction (autocommit); retried with backoff when it cannot get its locks."""
    for attempt in range(1, max_attempts + 1):
        try:
            row = conn.execute(batch, params).one()
            return row.hi, row.rows
        except exc.DBAPIError as err:
            if _sqlstate(err) not in RETRYABLE or attempt == max_attempts:
                raise
            base = min(2.0, 0.025 * 2**attempt) if _sqlstate(err) == LOCK_NOT_AVAILABLE else min(0.5, 0.005 * attempt)
            time.sleep(base * (0.5 + random.random() / 2))
    raise AssertionError("unreachable")

-- neon-migrate:backfill table=tasks key=id batch=5000
-- Priority, step 2 of 3 (backfill): map the free-text labels ("High", " medium", "asap", "")
-- onto the reference table; anything unrecognized becomes medium. Runs in batches of task ids,
-- each its own short transaction; a stopped run continues where it stopped.
UPDATE tasks AS t
   SET priority_id = coalesce(
         (SELECT p.id FROM priorities AS p
           WHERE p.name = CASE lower(btrim(t.priority)) WHEN 'asap' THEN 'urgent' ELSE lower(btrim(t.priority)) END),
         2)
 WHERE t.priority_id IS NULL;

/** The table and backfill the backfill tests share. */

/** `items`: keys 2, 4, … 2n (odd keys are free for a concurrent writer), `v` to fill, `updates` counted by a trigger. */
export function itemsDdl(n: number): string {
  return `CREATE TABLE items (id integer PRIMARY KEY, v integer, updates integer NOT NULL DEFAULT 0);
CREATE FUNCTION count_updates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updates := OLD.updates + 1; RETURN NEW; END $$;
CREATE TRIGGER items_count_updates BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION count_updates();
INSERT INTO items (id) SELECT 2 * g FROM generate_series(1, ${n}) AS g;`;
}

/** The backfill file: fills v = id * 3 where it is still NULL. */
export const ITEMS_BACKFILL = (
  batch: number,
  pause = 0,
) => `-- neon-migrate:backfill table=items key=id batch=${batch} pause=${pause}
-- fill v; a row is done once v is set
UPDATE items SET v = id * 3 WHERE v IS NULL;
`;

/** A contract that depends on it (detected: SET NOT NULL on the backfilled column). */
export const ITEMS_CONTRACT = `ALTER TABLE items ALTER COLUMN v SET NOT NULL;\n`;

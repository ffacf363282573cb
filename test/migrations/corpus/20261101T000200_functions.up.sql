CREATE FUNCTION shout(t text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  q text := $q$SELECT upper($1) || ';'$q$;
  r text;
BEGIN
  EXECUTE q INTO r USING t;
  RETURN r || $x$;$x$;
END
$fn$;

CREATE TABLE audit (id serial PRIMARY KEY, person_id int, what text);

CREATE FUNCTION person_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit (person_id, what) VALUES (NEW.id, 'insert; ' || NEW.name);
  RETURN NEW;
END;
$$;

CREATE TRIGGER person_audit_trg AFTER INSERT ON person FOR EACH ROW EXECUTE FUNCTION person_audit();

DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'do_made') THEN
    EXECUTE 'CREATE TABLE do_made (x int)';
  END IF;
END
$do$;

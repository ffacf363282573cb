-- Postgres cannot drop an enum value: rebuild the type without it.
ALTER TYPE mood RENAME TO mood_old;
CREATE TYPE mood AS ENUM ('sad', 'ok');
ALTER TABLE person ALTER COLUMN m TYPE mood USING m::text::mood;
DROP TYPE mood_old;

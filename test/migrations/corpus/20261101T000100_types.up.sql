-- Types and a table; this comment has a ; in it
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE person (
  id serial PRIMARY KEY,
  name text NOT NULL,
  m mood,
  note text DEFAULT E'semi;colon\'s; and a \\ backslash' /* inline ; comment */
);
COMMENT ON TABLE person IS 'people; with a semicolon';

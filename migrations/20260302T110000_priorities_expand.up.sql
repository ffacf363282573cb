-- Priority, step 1 of 3 (expand): a reference table and a nullable column next to the old text.
-- The app keeps writing the text column until the contract step.
CREATE TABLE priorities (
  id   smallint PRIMARY KEY,
  name text NOT NULL UNIQUE,
  rank smallint NOT NULL UNIQUE
);

INSERT INTO priorities (id, name, rank) VALUES
  (1, 'low', 10),
  (2, 'medium', 20),
  (3, 'high', 30),
  (4, 'urgent', 40);

ALTER TABLE tasks ADD COLUMN priority_id smallint REFERENCES priorities (id);

CREATE VIEW happy_people AS
  SELECT id, name, E'\x3B' AS semi -- that is a ;
    FROM person WHERE m = 'happy';

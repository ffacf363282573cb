DROP VIEW happy_people;

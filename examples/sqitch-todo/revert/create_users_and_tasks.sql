-- Revert todo:create_users_and_tasks from pg
BEGIN;
DROP TABLE tasks;
DROP TABLE users;
COMMIT;

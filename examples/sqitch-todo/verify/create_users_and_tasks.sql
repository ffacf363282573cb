-- Verify todo:create_users_and_tasks on pg
SELECT id, owner_id, title, completed, tags FROM tasks WHERE false;

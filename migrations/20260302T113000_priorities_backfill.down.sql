UPDATE tasks SET priority_id = NULL;

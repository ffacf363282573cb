UPDATE tasks SET subtask_count = NULL;

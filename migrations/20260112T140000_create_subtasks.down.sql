DROP TABLE subtasks;

ALTER TABLE "tasks" ALTER COLUMN "tags" SET DATA TYPE text[] USING array_remove(regexp_split_to_array(btrim("tags", ' ,'), '\s*,\s*'), '');

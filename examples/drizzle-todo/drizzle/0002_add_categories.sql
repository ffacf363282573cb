CREATE TABLE "categories" (
	"id" serial PRIMARY KEY NOT NULL,
	"owner_id" uuid NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "categories_owner_id_name_unique" UNIQUE("owner_id","name")
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "category_id" integer;
--> statement-breakpoint
ALTER TABLE "categories" ADD CONSTRAINT "categories_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_category_id_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."categories"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
INSERT INTO "categories" ("owner_id", "name") SELECT DISTINCT "owner_id", 'Work' FROM "tasks";
--> statement-breakpoint
UPDATE "tasks" t SET "category_id" = c."id" FROM "categories" c WHERE c."owner_id" = t."owner_id" AND 'work' = ANY (t."tags");

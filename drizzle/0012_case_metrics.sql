CREATE TABLE "case_metric_deltas" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"leaf_path" text NOT NULL,
	"department_id" bigint DEFAULT 0 NOT NULL,
	"month" date NOT NULL,
	"category_id" bigint DEFAULT 0 NOT NULL,
	"received" bigint DEFAULT 0 NOT NULL,
	"merged" bigint DEFAULT 0 NOT NULL,
	"declined" bigint DEFAULT 0 NOT NULL,
	"channel_qr" bigint DEFAULT 0 NOT NULL,
	"channel_h5" bigint DEFAULT 0 NOT NULL,
	"channel_grid_worker" bigint DEFAULT 0 NOT NULL,
	"channel_hotline" bigint DEFAULT 0 NOT NULL,
	"channel_open311" bigint DEFAULT 0 NOT NULL,
	"color_red" bigint DEFAULT 0 NOT NULL,
	"color_orange" bigint DEFAULT 0 NOT NULL,
	"color_yellow" bigint DEFAULT 0 NOT NULL,
	"color_green" bigint DEFAULT 0 NOT NULL,
	"backlog" bigint DEFAULT 0 NOT NULL,
	"overdue" bigint DEFAULT 0 NOT NULL,
	"overdue_open" bigint DEFAULT 0 NOT NULL,
	"supervised" bigint DEFAULT 0 NOT NULL,
	"reopened" bigint DEFAULT 0 NOT NULL,
	"dispatched" bigint DEFAULT 0 NOT NULL,
	"dispatch_seconds" bigint DEFAULT 0 NOT NULL,
	"contacted" bigint DEFAULT 0 NOT NULL,
	"contacted_in_time" bigint DEFAULT 0 NOT NULL,
	"contact_seconds" bigint DEFAULT 0 NOT NULL,
	"replied" bigint DEFAULT 0 NOT NULL,
	"reply_seconds" bigint DEFAULT 0 NOT NULL,
	"closed" bigint DEFAULT 0 NOT NULL,
	"rated" bigint DEFAULT 0 NOT NULL,
	"rated_resolved" bigint DEFAULT 0 NOT NULL,
	"satisfied" bigint DEFAULT 0 NOT NULL,
	"basically_satisfied" bigint DEFAULT 0 NOT NULL,
	"dissatisfied" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_metric_rollups" (
	"city_id" bigint NOT NULL,
	"node_kind" text NOT NULL,
	"node_id" bigint NOT NULL,
	"month" date NOT NULL,
	"category_id" bigint DEFAULT 0 NOT NULL,
	"received" bigint DEFAULT 0 NOT NULL,
	"merged" bigint DEFAULT 0 NOT NULL,
	"declined" bigint DEFAULT 0 NOT NULL,
	"channel_qr" bigint DEFAULT 0 NOT NULL,
	"channel_h5" bigint DEFAULT 0 NOT NULL,
	"channel_grid_worker" bigint DEFAULT 0 NOT NULL,
	"channel_hotline" bigint DEFAULT 0 NOT NULL,
	"channel_open311" bigint DEFAULT 0 NOT NULL,
	"color_red" bigint DEFAULT 0 NOT NULL,
	"color_orange" bigint DEFAULT 0 NOT NULL,
	"color_yellow" bigint DEFAULT 0 NOT NULL,
	"color_green" bigint DEFAULT 0 NOT NULL,
	"backlog" bigint DEFAULT 0 NOT NULL,
	"overdue" bigint DEFAULT 0 NOT NULL,
	"overdue_open" bigint DEFAULT 0 NOT NULL,
	"supervised" bigint DEFAULT 0 NOT NULL,
	"reopened" bigint DEFAULT 0 NOT NULL,
	"dispatched" bigint DEFAULT 0 NOT NULL,
	"dispatch_seconds" bigint DEFAULT 0 NOT NULL,
	"contacted" bigint DEFAULT 0 NOT NULL,
	"contacted_in_time" bigint DEFAULT 0 NOT NULL,
	"contact_seconds" bigint DEFAULT 0 NOT NULL,
	"replied" bigint DEFAULT 0 NOT NULL,
	"reply_seconds" bigint DEFAULT 0 NOT NULL,
	"closed" bigint DEFAULT 0 NOT NULL,
	"rated" bigint DEFAULT 0 NOT NULL,
	"rated_resolved" bigint DEFAULT 0 NOT NULL,
	"satisfied" bigint DEFAULT 0 NOT NULL,
	"basically_satisfied" bigint DEFAULT 0 NOT NULL,
	"dissatisfied" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "case_metric_rollups_city_id_node_kind_node_id_month_category_id_pk" PRIMARY KEY("city_id","node_kind","node_id","month","category_id")
);
--> statement-breakpoint
CREATE TABLE "city_metric_settings" (
	"city_id" bigint PRIMARY KEY NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" bigint
);
--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "contact_due_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "case_metric_deltas_city_month_idx" ON "case_metric_deltas" USING btree ("city_id","month");--> statement-breakpoint
-- Cases dispatched before this migration: their first contact clock's due time, from the timers.
UPDATE "cases" c SET "contact_due_at" = t.due_at
FROM (SELECT DISTINCT ON (case_id) case_id, due_at FROM "sla_timers" WHERE kind = 'contact' ORDER BY case_id, id) t
WHERE t.case_id = c.id AND c.contact_due_at IS NULL;

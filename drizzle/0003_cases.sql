CREATE TABLE "case_categories" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"default_color" text NOT NULL,
	"raise_keywords" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"sla_overrides" jsonb,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"case_id" bigint NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_user_id" bigint,
	"actor_label" text,
	"note" text,
	"attachments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"details" jsonb,
	"is_public" boolean DEFAULT false NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_summonses" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"case_id" bigint NOT NULL,
	"department_id" bigint NOT NULL,
	"summoned_by" bigint,
	"summoned_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deadline" timestamp with time zone,
	"reported_in_at" timestamp with time zone,
	"replied_at" timestamp with time zone,
	"reply" text,
	"returned_at" timestamp with time zone,
	"return_reason" text
);
--> statement-breakpoint
CREATE TABLE "case_tasks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"case_id" bigint NOT NULL,
	"grid_id" bigint NOT NULL,
	"assignee_user_id" bigint,
	"instructions" text,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"contacted_at" timestamp with time zone,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"number" text NOT NULL,
	"tracking_token" text NOT NULL,
	"channel" text NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"holder_level" text DEFAULT 'grid' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"category_id" bigint,
	"triage_color" text NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"region_path" text NOT NULL,
	"grid_id" bigint,
	"building_id" bigint,
	"lng" double precision,
	"lat" double precision,
	"address" text,
	"reporter_name" text,
	"reporter_phone" text,
	"reporter_consent" boolean DEFAULT false NOT NULL,
	"created_by" bigint,
	"reopen_count" integer DEFAULT 0 NOT NULL,
	"rating_resolved" boolean,
	"rating_satisfaction" text,
	"rating_comment" text,
	"claimed_by_party_organization_id" bigint,
	"closed_by_party_organization_id" bigint,
	"extension_pending" boolean DEFAULT false NOT NULL,
	"supervised" boolean DEFAULT false NOT NULL,
	"overdue" boolean DEFAULT false NOT NULL,
	"merged_into_case_id" bigint,
	"dispatched_at" timestamp with time zone,
	"contacted_at" timestamp with time zone,
	"replied_at" timestamp with time zone,
	"rated_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sla_timers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"case_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"fired_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sla_timers_kind_ck" CHECK ("sla_timers"."kind" in ('dispatch','contact','resolve','report_in','callback'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "case_categories_city_code_uq" ON "case_categories" USING btree ("city_id","code");--> statement-breakpoint
CREATE INDEX "case_events_case_idx" ON "case_events" USING btree ("case_id","id");--> statement-breakpoint
CREATE INDEX "case_summonses_case_idx" ON "case_summonses" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "case_summonses_department_idx" ON "case_summonses" USING btree ("department_id","replied_at");--> statement-breakpoint
CREATE INDEX "case_tasks_case_idx" ON "case_tasks" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "case_tasks_assignee_idx" ON "case_tasks" USING btree ("assignee_user_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_city_number_uq" ON "cases" USING btree ("city_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_tracking_token_uq" ON "cases" USING btree ("tracking_token");--> statement-breakpoint
CREATE INDEX "cases_path_idx" ON "cases" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "cases_city_status_idx" ON "cases" USING btree ("city_id","status");--> statement-breakpoint
CREATE INDEX "cases_city_created_idx" ON "cases" USING btree ("city_id","created_at");--> statement-breakpoint
CREATE INDEX "sla_timers_due_idx" ON "sla_timers" USING btree ("due_at") WHERE fired_at IS NULL AND cancelled_at IS NULL;--> statement-breakpoint
CREATE INDEX "sla_timers_case_idx" ON "sla_timers" USING btree ("case_id");
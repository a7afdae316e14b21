CREATE TABLE "city_sla_settings" (
	"city_id" bigint PRIMARY KEY NOT NULL,
	"rules" jsonb,
	"working_hours" jsonb,
	"weekend_days" jsonb,
	"holidays" jsonb,
	"make_up_workdays" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" bigint
);

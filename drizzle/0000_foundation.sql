CREATE TABLE "building_grid_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"building_id" bigint NOT NULL,
	"grid_id" bigint NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cities" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cities_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "region_geometry_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"region_node_id" bigint NOT NULL,
	"geometry" jsonb NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"changed_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "region_nodes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"parent_id" bigint,
	"level" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"path" text NOT NULL,
	"compound_id" bigint,
	"property_company_id" bigint,
	"geometry" jsonb,
	"min_lng" double precision,
	"min_lat" double precision,
	"max_lng" double precision,
	"max_lat" double precision,
	"centroid_lng" double precision,
	"centroid_lat" double precision,
	"address" text,
	"valid_from" date DEFAULT CURRENT_DATE NOT NULL,
	"valid_to" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "region_nodes_level_ck" CHECK ("region_nodes"."level" in ('city','district','street','community','compound','grid','building'))
);
--> statement-breakpoint
CREATE TABLE "party_committee_members" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"party_organization_id" bigint NOT NULL,
	"name" text NOT NULL,
	"position" text NOT NULL,
	"unit_id" bigint,
	"part_time" text DEFAULT 'no' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "party_organizations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"parent_id" bigint,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"code" text NOT NULL,
	"region_node_id" bigint NOT NULL,
	"household_id" bigint,
	"secretary_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "party_organizations_kind_ck" CHECK ("party_organizations"."kind" in ('street_party_committee','community_party_org','grid_party_org','building_party_group','party_member_household'))
);
--> statement-breakpoint
CREATE TABLE "household_link_members" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"household_link_id" bigint NOT NULL,
	"household_id" bigint NOT NULL,
	"position" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "household_links" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"name" text NOT NULL,
	"grid_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"head_resident_id" bigint,
	"head_user_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "households" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"building_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"code" text NOT NULL,
	"door_number" text NOT NULL,
	"address" text,
	"phone" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "party_member_household_links" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"party_member_id" bigint NOT NULL,
	"household_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "party_members" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"resident_id" bigint,
	"name" text NOT NULL,
	"phone" text,
	"id_number_encrypted" text,
	"id_number_hash" text,
	"party_organization_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"is_serving" boolean DEFAULT false NOT NULL,
	"serving_unit_id" bigint,
	"joined_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resident_tags" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"resident_id" bigint NOT NULL,
	"tag" text NOT NULL,
	"set_on" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "residents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"household_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"name" text NOT NULL,
	"gender" text,
	"birth_date" date,
	"phone" text,
	"id_number_encrypted" text,
	"id_number_hash" text,
	"relation_to_head" text,
	"is_head" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"code" text NOT NULL,
	"region_node_id" bigint,
	"contact_name" text,
	"contact_phone" text,
	"address" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "units_kind_ck" CHECK ("units"."kind" in ('agency','department','resident_unit','property_company','social_org','partner_shop'))
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"at" timestamp(6) with time zone NOT NULL,
	"actor_user_id" bigint,
	"actor_name" text,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" text,
	"outcome" text NOT NULL,
	"ip" text,
	"user_agent" text,
	"details" jsonb,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_jobs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"file_name" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"summary" jsonb,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "role_assignments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"role" text NOT NULL,
	"region_node_id" bigint,
	"unit_id" bigint,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "role_assignments_scope_ck" CHECK (("role_assignments"."role" = 'department_staff') = ("role_assignments"."unit_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"token_hash" text NOT NULL,
	"user_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"ip" text,
	"user_agent" text,
	CONSTRAINT "sessions_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"phone" text,
	"password_hash" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"totp_secret_encrypted" text,
	"totp_enabled" boolean DEFAULT false NOT NULL,
	"totp_last_step" bigint,
	"password_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "building_grid_history_building_idx" ON "building_grid_history" USING btree ("building_id","valid_from");--> statement-breakpoint
CREATE INDEX "region_geometry_history_node_idx" ON "region_geometry_history" USING btree ("region_node_id","valid_from");--> statement-breakpoint
CREATE UNIQUE INDEX "region_nodes_city_code_uq" ON "region_nodes" USING btree ("city_id","code");--> statement-breakpoint
CREATE INDEX "region_nodes_parent_idx" ON "region_nodes" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "region_nodes_path_idx" ON "region_nodes" USING btree ("path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "region_nodes_city_level_idx" ON "region_nodes" USING btree ("city_id","level");--> statement-breakpoint
CREATE INDEX "party_committee_members_org_idx" ON "party_committee_members" USING btree ("party_organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "party_organizations_city_code_uq" ON "party_organizations" USING btree ("city_id","code");--> statement-breakpoint
CREATE INDEX "party_organizations_region_idx" ON "party_organizations" USING btree ("region_node_id");--> statement-breakpoint
CREATE INDEX "party_organizations_parent_idx" ON "party_organizations" USING btree ("parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "household_link_members_household_uq" ON "household_link_members" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "hlm_link_idx" ON "household_link_members" USING btree ("household_link_id");--> statement-breakpoint
CREATE INDEX "household_links_grid_idx" ON "household_links" USING btree ("grid_id");--> statement-breakpoint
CREATE UNIQUE INDEX "households_city_code_uq" ON "households" USING btree ("city_id","code");--> statement-breakpoint
CREATE INDEX "households_building_idx" ON "households" USING btree ("building_id");--> statement-breakpoint
CREATE INDEX "households_path_idx" ON "households" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "party_member_household_links_uq" ON "party_member_household_links" USING btree ("party_member_id","household_id");--> statement-breakpoint
CREATE INDEX "pmhl_household_idx" ON "party_member_household_links" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "party_members_org_idx" ON "party_members" USING btree ("party_organization_id");--> statement-breakpoint
CREATE INDEX "party_members_path_idx" ON "party_members" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "party_members_city_id_number_uq" ON "party_members" USING btree ("city_id","id_number_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "resident_tags_uq" ON "resident_tags" USING btree ("resident_id","tag");--> statement-breakpoint
CREATE INDEX "resident_tags_city_tag_idx" ON "resident_tags" USING btree ("city_id","tag");--> statement-breakpoint
CREATE INDEX "residents_household_idx" ON "residents" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "residents_path_idx" ON "residents" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "residents_city_id_number_uq" ON "residents" USING btree ("city_id","id_number_hash");--> statement-breakpoint
CREATE INDEX "residents_city_name_idx" ON "residents" USING btree ("city_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "units_city_code_uq" ON "units" USING btree ("city_id","code");--> statement-breakpoint
CREATE INDEX "units_region_idx" ON "units" USING btree ("region_node_id");--> statement-breakpoint
CREATE INDEX "units_city_kind_idx" ON "units" USING btree ("city_id","kind");--> statement-breakpoint
CREATE INDEX "audit_log_city_at_idx" ON "audit_log" USING btree ("city_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_user_id");--> statement-breakpoint
CREATE INDEX "role_assignments_user_idx" ON "role_assignments" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "role_assignments_region_idx" ON "role_assignments" USING btree ("region_node_id","role");--> statement-breakpoint
CREATE UNIQUE INDEX "role_assignments_uq" ON "role_assignments" USING btree ("user_id","role",coalesce("region_node_id", 0),coalesce("unit_id", 0));--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_uq" ON "users" USING btree (lower("username"));
-- btree_gist lets one EXCLUDE constraint compare resource ids (=) and booking periods (&&).
CREATE EXTENSION IF NOT EXISTS btree_gist;--> statement-breakpoint
CREATE TABLE "community_list_items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"list_kind" text NOT NULL,
	"region_node_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"quarter" text,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"category" text,
	"source" text NOT NULL,
	"poster_unit_id" bigint,
	"poster_name" text,
	"poster_phone" text,
	"case_id" bigint,
	"source_item_id" bigint,
	"case_count" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'posted' NOT NULL,
	"claimed_by_unit_id" bigint,
	"claimed_by_party_member_id" bigint,
	"claimed_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"delivery_note" text,
	"due_on" date,
	"created_by" bigint,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "community_list_items_kind_ck" CHECK ("community_list_items"."list_kind" in ('need','problem','service')),
	CONSTRAINT "community_list_items_status_ck" CHECK ("community_list_items"."status" in ('posted','claimed','delivered','closed','withdrawn')),
	CONSTRAINT "community_list_items_quarter_ck" CHECK (("community_list_items"."list_kind" = 'problem') = ("community_list_items"."quarter" is not null))
);
--> statement-breakpoint
CREATE TABLE "item_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" bigint NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"actor_user_id" bigint,
	"actor_label" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "micro_wishes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"number" text NOT NULL,
	"tracking_token_hash" text NOT NULL,
	"community_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"building_id" bigint,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"wisher_kind" text DEFAULT 'other' NOT NULL,
	"wisher_name" text NOT NULL,
	"wisher_phone" text,
	"photo_key" text,
	"status" text DEFAULT 'posted' NOT NULL,
	"claimed_by_unit_id" bigint,
	"claimed_by_party_member_id" bigint,
	"claimed_by_user_id" bigint,
	"claimed_at" timestamp with time zone,
	"fulfilled_at" timestamp with time zone,
	"fulfilment_note" text,
	"fulfilment_photo_key" text,
	"confirmed_at" timestamp with time zone,
	"thanks_note" text,
	"created_by" bigint,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "micro_wishes_status_ck" CHECK ("micro_wishes"."status" in ('posted','claimed','fulfilled','confirmed','withdrawn')),
	CONSTRAINT "micro_wishes_claimer_ck" CHECK ("micro_wishes"."status" in ('posted','withdrawn') or "micro_wishes"."claimed_by_unit_id" is not null or "micro_wishes"."claimed_by_party_member_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "service_categories" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_offerings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"category_id" bigint NOT NULL,
	"region_node_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"hours" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_orders" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"number" text NOT NULL,
	"tracking_token_hash" text NOT NULL,
	"offering_id" bigint NOT NULL,
	"category_id" bigint NOT NULL,
	"community_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"building_id" bigint,
	"resident_name" text NOT NULL,
	"resident_phone" text NOT NULL,
	"address" text,
	"description" text DEFAULT '' NOT NULL,
	"preferred_time" text,
	"status" text DEFAULT 'ordered' NOT NULL,
	"assignee_party_member_id" bigint,
	"assignee_volunteer_id" bigint,
	"dispatched_by" bigint,
	"dispatched_at" timestamp with time zone,
	"accepted_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"completion_note" text,
	"confirmed_at" timestamp with time zone,
	"rating" smallint,
	"rating_comment" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_orders_status_ck" CHECK ("service_orders"."status" in ('ordered','dispatched','accepted','completed','confirmed','cancelled','declined')),
	CONSTRAINT "service_orders_rating_ck" CHECK ("service_orders"."rating" is null or "service_orders"."rating" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "activity_signups" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"activity_id" bigint NOT NULL,
	"volunteer_id" bigint NOT NULL,
	"unit_id" bigint,
	"status" text DEFAULT 'signed_up' NOT NULL,
	"signed_up_at" timestamp with time zone DEFAULT now() NOT NULL,
	"checked_in_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "community_posts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"community_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"category" text,
	"slots" integer DEFAULT 1 NOT NULL,
	"starts_on" date,
	"ends_on" date,
	"status" text DEFAULT 'open' NOT NULL,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "community_posts_slots_ck" CHECK ("community_posts"."slots" between 1 and 1000)
);
--> statement-breakpoint
CREATE TABLE "dual_registrations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"community_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"unit_id" bigint,
	"party_member_id" bigint,
	"basis" text DEFAULT 'residence' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dual_registrations_subject_ck" CHECK (("dual_registrations"."kind" = 'member' and "dual_registrations"."party_member_id" is not null and "dual_registrations"."unit_id" is null) or ("dual_registrations"."kind" = 'organization' and "dual_registrations"."unit_id" is not null and "dual_registrations"."party_member_id" is null))
);
--> statement-breakpoint
CREATE TABLE "post_claims" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"post_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"registration_id" bigint NOT NULL,
	"party_member_id" bigint,
	"unit_id" bigint,
	"status" text DEFAULT 'claimed' NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"withdrawn_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "service_hours" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"community_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"party_member_id" bigint,
	"volunteer_id" bigint,
	"unit_id" bigint,
	"source_kind" text NOT NULL,
	"source_id" bigint,
	"served_on" date NOT NULL,
	"hours" numeric(6, 2) NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_hours_hours_ck" CHECK ("service_hours"."hours" > 0 and "service_hours"."hours" <= 24),
	CONSTRAINT "service_hours_who_ck" CHECK ("service_hours"."party_member_id" is not null or "service_hours"."volunteer_id" is not null or "service_hours"."unit_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "volunteer_activities" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"region_node_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"team_id" bigint,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"location" text,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"capacity" integer,
	"hours" numeric(6, 2) NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "volunteer_activities_time_ck" CHECK ("volunteer_activities"."ends_at" > "volunteer_activities"."starts_at"),
	CONSTRAINT "volunteer_activities_hours_ck" CHECK ("volunteer_activities"."hours" > 0 and "volunteer_activities"."hours" <= 24)
);
--> statement-breakpoint
CREATE TABLE "volunteer_team_members" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"team_id" bigint NOT NULL,
	"volunteer_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "volunteer_teams" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"region_node_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"name" text NOT NULL,
	"kind" text DEFAULT 'general' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"leader_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "volunteers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"region_node_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"name" text NOT NULL,
	"phone" text,
	"resident_id" bigint,
	"party_member_id" bigint,
	"user_id" bigint,
	"skills" text,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alliance_members" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"alliance_id" bigint NOT NULL,
	"unit_id" bigint,
	"party_organization_id" bigint,
	"role_label" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alliance_members_who_ck" CHECK (("alliance_members"."unit_id" is null) <> ("alliance_members"."party_organization_id" is null))
);
--> statement-breakpoint
CREATE TABLE "co_building_items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"meeting_id" bigint NOT NULL,
	"alliance_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"lead_unit_id" bigint,
	"due_on" date,
	"status" text DEFAULT 'decided' NOT NULL,
	"progress_note" text,
	"done_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "joint_meeting_attendees" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"meeting_id" bigint NOT NULL,
	"unit_id" bigint,
	"party_organization_id" bigint,
	"attendee_name" text NOT NULL,
	"attended" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "joint_meetings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"alliance_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"title" text NOT NULL,
	"held_at" timestamp with time zone NOT NULL,
	"location" text,
	"agenda" text DEFAULT '' NOT NULL,
	"minutes" text,
	"status" text DEFAULT 'planned' NOT NULL,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "party_alliances" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"region_node_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resource_bookings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"resource_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"booker_unit_id" bigint,
	"booker_user_id" bigint,
	"booker_label" text NOT NULL,
	"purpose" text NOT NULL,
	"period" "tstzrange" NOT NULL,
	"status" text NOT NULL,
	"decided_by" bigint,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "resource_bookings_status_ck" CHECK ("resource_bookings"."status" in ('pending','approved','rejected','cancelled')),
	CONSTRAINT "resource_bookings_period_ck" CHECK (not isempty("resource_bookings"."period") and lower_inf("resource_bookings"."period") = false and upper_inf("resource_bookings"."period") = false)
);
--> statement-breakpoint
CREATE TABLE "shared_resources" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"community_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"owner_unit_id" bigint,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"location" text,
	"terms" text DEFAULT 'free' NOT NULL,
	"price_note" text,
	"requires_approval" boolean DEFAULT false NOT NULL,
	"capacity" integer,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unit_point_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"community_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"unit_id" bigint NOT NULL,
	"event" text NOT NULL,
	"source_kind" text NOT NULL,
	"source_id" bigint,
	"points" integer NOT NULL,
	"note" text,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unit_point_rules" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"community_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"event" text NOT NULL,
	"points" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "unit_point_rules_points_ck" CHECK ("unit_point_rules"."points" between -100 and 100)
);
--> statement-breakpoint
CREATE TABLE "unit_point_settings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"community_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"base_points" integer DEFAULT 80 NOT NULL,
	"booking_minimum" integer DEFAULT 60 NOT NULL,
	"honour_threshold" integer DEFAULT 100 NOT NULL,
	"updated_by" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "unit_point_settings_order_ck" CHECK ("unit_point_settings"."booking_minimum" < "unit_point_settings"."honour_threshold")
);
--> statement-breakpoint
CREATE TABLE "building_evaluations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"community_id" bigint NOT NULL,
	"building_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"period" text NOT NULL,
	"score" numeric(5, 1) NOT NULL,
	"criteria" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"comment" text,
	"red_flag" boolean DEFAULT false NOT NULL,
	"evaluated_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "building_evaluations_score_ck" CHECK ("building_evaluations"."score" between 0 and 100)
);
--> statement-breakpoint
CREATE TABLE "incentive_point_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"event" text NOT NULL,
	"source_kind" text NOT NULL,
	"source_id" bigint,
	"points" integer NOT NULL,
	"note" text,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partner_shop_offers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"shop_unit_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"points_cost" integer DEFAULT 0 NOT NULL,
	"valid_until" date,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "partner_shop_offers_cost_ck" CHECK ("partner_shop_offers"."points_cost" >= 0)
);
--> statement-breakpoint
CREATE TABLE "redemption_codes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"offer_id" bigint NOT NULL,
	"shop_unit_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"code_hash" text NOT NULL,
	"points" integer NOT NULL,
	"status" text DEFAULT 'issued' NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"redeemed_at" timestamp with time zone,
	"redeemed_by" bigint
);
--> statement-breakpoint
CREATE TABLE "care_subjects" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"resident_id" bigint NOT NULL,
	"grid_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"care_group" text NOT NULL,
	"visit_every_days" integer DEFAULT 7 NOT NULL,
	"responsible_user_id" bigint,
	"last_visit_at" timestamp with time zone,
	"next_visit_due" date NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "care_subjects_every_ck" CHECK ("care_subjects"."visit_every_days" between 1 and 366)
);
--> statement-breakpoint
CREATE TABLE "disputes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"grid_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"category" text DEFAULT 'other' NOT NULL,
	"parties" text,
	"status" text DEFAULT 'found' NOT NULL,
	"found_at" timestamp with time zone NOT NULL,
	"found_by" bigint NOT NULL,
	"mediator" text,
	"mediation_started_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"result" text,
	"case_id" bigint,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "home_visits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"grid_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"household_id" bigint,
	"building_id" bigint,
	"care_subject_id" bigint,
	"visitor_user_id" bigint NOT NULL,
	"visited_at" timestamp with time zone NOT NULL,
	"purpose" text DEFAULT 'routine' NOT NULL,
	"collected" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"need_item_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliberation_meetings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"region_node_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"title" text NOT NULL,
	"held_at" timestamp with time zone NOT NULL,
	"location" text,
	"participants" text,
	"status" text DEFAULT 'planned' NOT NULL,
	"summary" text,
	"published_at" timestamp with time zone,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliberation_proposals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"meeting_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"proposer_name" text,
	"decision" text DEFAULT 'pending' NOT NULL,
	"votes_for" integer,
	"votes_against" integer,
	"votes_abstain" integer,
	"decision_note" text,
	"public_result" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deliberation_proposals_votes_ck" CHECK (coalesce("deliberation_proposals"."votes_for", 0) >= 0 and coalesce("deliberation_proposals"."votes_against", 0) >= 0 and coalesce("deliberation_proposals"."votes_abstain", 0) >= 0)
);
--> statement-breakpoint
CREATE TABLE "notice_receipts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"notice_id" bigint NOT NULL,
	"party_member_id" bigint NOT NULL,
	"read_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notices" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"city_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"region_node_id" bigint NOT NULL,
	"region_path" text NOT NULL,
	"party_organization_id" bigint,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"published_at" timestamp with time zone,
	"event_at" timestamp with time zone,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notices_org_ck" CHECK (("notices"."kind" = 'organization_life') = ("notices"."party_organization_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "role_assignments" DROP CONSTRAINT "role_assignments_scope_ck";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "party_member_id" bigint;--> statement-breakpoint
CREATE INDEX "community_list_items_path_idx" ON "community_list_items" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "community_list_items_kind_idx" ON "community_list_items" USING btree ("city_id","list_kind","status");--> statement-breakpoint
CREATE UNIQUE INDEX "community_list_items_problem_uq" ON "community_list_items" USING btree ("region_node_id","quarter","title") WHERE "community_list_items"."list_kind" = 'problem';--> statement-breakpoint
CREATE INDEX "item_events_subject_idx" ON "item_events" USING btree ("subject_type","subject_id","id");--> statement-breakpoint
CREATE INDEX "item_events_city_idx" ON "item_events" USING btree ("city_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "micro_wishes_city_number_uq" ON "micro_wishes" USING btree ("city_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "micro_wishes_token_uq" ON "micro_wishes" USING btree ("tracking_token_hash");--> statement-breakpoint
CREATE INDEX "micro_wishes_path_idx" ON "micro_wishes" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "micro_wishes_status_idx" ON "micro_wishes" USING btree ("city_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "service_categories_city_code_uq" ON "service_categories" USING btree ("city_id","code");--> statement-breakpoint
CREATE INDEX "service_offerings_path_idx" ON "service_offerings" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "service_offerings_category_idx" ON "service_offerings" USING btree ("category_id");--> statement-breakpoint
CREATE UNIQUE INDEX "service_orders_city_number_uq" ON "service_orders" USING btree ("city_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "service_orders_token_uq" ON "service_orders" USING btree ("tracking_token_hash");--> statement-breakpoint
CREATE INDEX "service_orders_path_idx" ON "service_orders" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "service_orders_assignee_idx" ON "service_orders" USING btree ("assignee_party_member_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "activity_signups_uq" ON "activity_signups" USING btree ("activity_id","volunteer_id");--> statement-breakpoint
CREATE INDEX "activity_signups_volunteer_idx" ON "activity_signups" USING btree ("volunteer_id");--> statement-breakpoint
CREATE INDEX "community_posts_path_idx" ON "community_posts" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "dual_registrations_path_idx" ON "dual_registrations" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "dual_registrations_member_uq" ON "dual_registrations" USING btree ("community_id","party_member_id") WHERE "dual_registrations"."status" = 'active' and "dual_registrations"."party_member_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "dual_registrations_unit_uq" ON "dual_registrations" USING btree ("community_id","unit_id") WHERE "dual_registrations"."status" = 'active' and "dual_registrations"."unit_id" is not null;--> statement-breakpoint
CREATE INDEX "dual_registrations_member_idx" ON "dual_registrations" USING btree ("party_member_id");--> statement-breakpoint
CREATE INDEX "dual_registrations_unit_idx" ON "dual_registrations" USING btree ("unit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "post_claims_member_uq" ON "post_claims" USING btree ("post_id","party_member_id") WHERE "post_claims"."status" = 'claimed' and "post_claims"."party_member_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "post_claims_unit_uq" ON "post_claims" USING btree ("post_id","unit_id") WHERE "post_claims"."status" = 'claimed' and "post_claims"."unit_id" is not null;--> statement-breakpoint
CREATE INDEX "post_claims_post_idx" ON "post_claims" USING btree ("post_id");--> statement-breakpoint
CREATE INDEX "service_hours_path_idx" ON "service_hours" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "service_hours_member_idx" ON "service_hours" USING btree ("party_member_id","served_on");--> statement-breakpoint
CREATE INDEX "service_hours_volunteer_idx" ON "service_hours" USING btree ("volunteer_id","served_on");--> statement-breakpoint
CREATE UNIQUE INDEX "service_hours_source_uq" ON "service_hours" USING btree ("source_kind","source_id",coalesce("party_member_id", 0),coalesce("volunteer_id", 0)) WHERE "service_hours"."source_kind" in ('activity','service_order','micro_wish');--> statement-breakpoint
CREATE INDEX "volunteer_activities_path_idx" ON "volunteer_activities" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "volunteer_team_members_uq" ON "volunteer_team_members" USING btree ("team_id","volunteer_id");--> statement-breakpoint
CREATE INDEX "volunteer_team_members_volunteer_idx" ON "volunteer_team_members" USING btree ("volunteer_id");--> statement-breakpoint
CREATE INDEX "volunteer_teams_path_idx" ON "volunteer_teams" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "volunteers_path_idx" ON "volunteers" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "volunteers_party_member_uq" ON "volunteers" USING btree ("city_id","party_member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteers_user_uq" ON "volunteers" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "alliance_members_unit_uq" ON "alliance_members" USING btree ("alliance_id","unit_id") WHERE "alliance_members"."unit_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "alliance_members_org_uq" ON "alliance_members" USING btree ("alliance_id","party_organization_id") WHERE "alliance_members"."party_organization_id" is not null;--> statement-breakpoint
CREATE INDEX "co_building_items_path_idx" ON "co_building_items" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "co_building_items_meeting_idx" ON "co_building_items" USING btree ("meeting_id");--> statement-breakpoint
CREATE INDEX "joint_meeting_attendees_meeting_idx" ON "joint_meeting_attendees" USING btree ("meeting_id");--> statement-breakpoint
CREATE UNIQUE INDEX "joint_meeting_attendees_unit_uq" ON "joint_meeting_attendees" USING btree ("meeting_id","unit_id") WHERE "joint_meeting_attendees"."unit_id" is not null;--> statement-breakpoint
CREATE INDEX "joint_meetings_path_idx" ON "joint_meetings" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "joint_meetings_alliance_idx" ON "joint_meetings" USING btree ("alliance_id");--> statement-breakpoint
CREATE INDEX "party_alliances_path_idx" ON "party_alliances" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "resource_bookings_resource_idx" ON "resource_bookings" USING btree ("resource_id");--> statement-breakpoint
CREATE INDEX "resource_bookings_path_idx" ON "resource_bookings" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "shared_resources_path_idx" ON "shared_resources" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "unit_point_entries_unit_idx" ON "unit_point_entries" USING btree ("unit_id","community_id");--> statement-breakpoint
CREATE INDEX "unit_point_entries_path_idx" ON "unit_point_entries" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "unit_point_entries_source_uq" ON "unit_point_entries" USING btree ("unit_id","event","source_kind","source_id") WHERE "unit_point_entries"."source_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "unit_point_rules_uq" ON "unit_point_rules" USING btree ("community_id","event");--> statement-breakpoint
CREATE UNIQUE INDEX "unit_point_settings_community_uq" ON "unit_point_settings" USING btree ("community_id");--> statement-breakpoint
CREATE UNIQUE INDEX "building_evaluations_uq" ON "building_evaluations" USING btree ("community_id","period","building_id");--> statement-breakpoint
CREATE UNIQUE INDEX "building_evaluations_red_flag_uq" ON "building_evaluations" USING btree ("community_id","period") WHERE "building_evaluations"."red_flag";--> statement-breakpoint
CREATE INDEX "incentive_point_entries_user_idx" ON "incentive_point_entries" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "incentive_point_entries_path_idx" ON "incentive_point_entries" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "incentive_point_entries_source_uq" ON "incentive_point_entries" USING btree ("user_id","event","source_kind","source_id") WHERE "incentive_point_entries"."source_id" is not null;--> statement-breakpoint
CREATE INDEX "partner_shop_offers_shop_idx" ON "partner_shop_offers" USING btree ("shop_unit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "redemption_codes_hash_uq" ON "redemption_codes" USING btree ("code_hash");--> statement-breakpoint
CREATE INDEX "redemption_codes_user_idx" ON "redemption_codes" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "redemption_codes_shop_idx" ON "redemption_codes" USING btree ("shop_unit_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "care_subjects_resident_group_uq" ON "care_subjects" USING btree ("resident_id","care_group");--> statement-breakpoint
CREATE INDEX "care_subjects_path_idx" ON "care_subjects" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "care_subjects_due_idx" ON "care_subjects" USING btree ("city_id","next_visit_due") WHERE "care_subjects"."active";--> statement-breakpoint
CREATE INDEX "disputes_path_idx" ON "disputes" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "disputes_status_idx" ON "disputes" USING btree ("city_id","status");--> statement-breakpoint
CREATE INDEX "home_visits_path_idx" ON "home_visits" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "home_visits_visitor_idx" ON "home_visits" USING btree ("visitor_user_id","visited_at");--> statement-breakpoint
CREATE INDEX "home_visits_care_idx" ON "home_visits" USING btree ("care_subject_id","visited_at");--> statement-breakpoint
CREATE INDEX "deliberation_meetings_path_idx" ON "deliberation_meetings" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "deliberation_proposals_meeting_idx" ON "deliberation_proposals" USING btree ("meeting_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notice_receipts_uq" ON "notice_receipts" USING btree ("notice_id","party_member_id");--> statement-breakpoint
CREATE INDEX "notices_path_idx" ON "notices" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "notices_kind_idx" ON "notices" USING btree ("city_id","kind","status");--> statement-breakpoint
CREATE UNIQUE INDEX "users_party_member_uq" ON "users" USING btree ("party_member_id");--> statement-breakpoint
ALTER TABLE "role_assignments" ADD CONSTRAINT "role_assignments_scope_ck" CHECK (("role_assignments"."role" in ('department_staff','unit_contact')) = ("role_assignments"."unit_id" is not null));--> statement-breakpoint
-- No double booking, enforced by the database: two live bookings of one resource never overlap.
ALTER TABLE "resource_bookings" ADD CONSTRAINT "resource_bookings_no_overlap" EXCLUDE USING gist ("resource_id" WITH =, "period" WITH &&) WHERE ("status" in ('pending','approved'));

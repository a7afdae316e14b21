-- Case events are announced in batches by each server process (src/modules/realtime/case-event-announcer.ts):
-- a NOTIFY in every writing transaction serialised all commits on PostgreSQL's notification lock.
DROP TRIGGER IF EXISTS case_events_notify ON case_events;
--> statement-breakpoint
DROP FUNCTION IF EXISTS civicgrid_notify_case_event();

-- Every case event is announced on channel civicgrid_case_events, in the same transaction as the event
-- (NOTIFY is delivered only on commit). The SSE board and other live views listen to it.
CREATE OR REPLACE FUNCTION civicgrid_notify_case_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('civicgrid_case_events', json_build_object(
    'eventId', NEW.id, 'caseId', NEW.case_id, 'cityId', NEW.city_id, 'action', NEW.action, 'toStatus', NEW.to_status,
    'regionPath', (SELECT region_path FROM cases WHERE id = NEW.case_id), 'at', NEW.at)::text);
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER case_events_notify AFTER INSERT ON case_events FOR EACH ROW EXECUTE FUNCTION civicgrid_notify_case_event();

-- The audit log is append-only for the application: UPDATE, DELETE and TRUNCATE are refused.
-- A database superuser can still bypass this; the hash chain (civicgrid audit verify) detects that.
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
-- One row per city holding the chain head; appenders lock it, which orders the chain.
CREATE TABLE audit_chain_heads (
  city_id bigint PRIMARY KEY,
  last_id bigint NOT NULL,
  last_hash text NOT NULL
);
--> statement-breakpoint
CREATE SEQUENCE audit_log_id_seq;

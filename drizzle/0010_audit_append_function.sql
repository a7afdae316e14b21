-- Appends several audit records to one chain (city, stripe) in one call: lock the head, then for each
-- record draw its id and hash it exactly as auditHash() does (the canonical JSON is sent split around the
-- id as prefix and suffix), insert it, and move the head. Used by intake's group commit, so a whole batch
-- of reports is one statement (src/modules/cases/intake-batcher.ts).
CREATE OR REPLACE FUNCTION civicgrid_append_audit(p_city bigint, p_stripe smallint, p_records jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  previous text;
  rec jsonb;
  new_id bigint;
  new_hash text;
  appended integer := 0;
BEGIN
  SELECT last_hash INTO previous FROM audit_chain_heads WHERE city_id = p_city AND stripe = p_stripe FOR UPDATE;
  IF previous IS NULL THEN
    RAISE EXCEPTION 'no audit chain head for city % stripe %', p_city, p_stripe;
  END IF;
  FOR rec IN SELECT value FROM jsonb_array_elements(p_records) LOOP
    new_id := nextval('audit_log_id_seq');
    new_hash := encode(sha256(convert_to(previous || E'\n' || (rec->>'prefix') || new_id::text || (rec->>'suffix'), 'UTF8')), 'hex');
    INSERT INTO audit_log (id, city_id, at, actor_user_id, actor_name, action, resource_type, resource_id, outcome, ip, user_agent, details, prev_hash, hash, stripe)
    VALUES (new_id, p_city, (rec->>'at')::timestamptz, (rec->>'actorUserId')::bigint, rec->>'actorName', rec->>'action', rec->>'resourceType',
      rec->>'resourceId', rec->>'outcome', rec->>'ip', rec->>'userAgent', NULLIF(rec->'details', 'null'::jsonb), previous, new_hash, p_stripe);
    previous := new_hash;
    appended := appended + 1;
  END LOOP;
  IF appended > 0 THEN
    UPDATE audit_chain_heads SET last_id = new_id, last_hash = previous WHERE city_id = p_city AND stripe = p_stripe;
  END IF;
  RETURN appended;
END $$;

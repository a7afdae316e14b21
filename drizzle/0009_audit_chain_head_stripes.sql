-- Each city's audit log is several parallel hash chains (stripes): one head row per (city, stripe).
-- Appenders lock only their stripe's head, so a city's writers no longer queue on a single row lock
-- held through every commit. Existing records and heads are stripe 0.
ALTER TABLE audit_chain_heads ADD COLUMN stripe smallint NOT NULL DEFAULT 0;
--> statement-breakpoint
ALTER TABLE audit_chain_heads DROP CONSTRAINT audit_chain_heads_pkey;
--> statement-breakpoint
ALTER TABLE audit_chain_heads ADD PRIMARY KEY (city_id, stripe);

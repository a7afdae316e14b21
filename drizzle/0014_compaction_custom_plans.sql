-- The compaction statement is planned for each call: a plan cached while case_metric_deltas was empty
-- ran for minutes on the backlog a bulk load leaves (seen by bench:metrics), and p_limit varies.
ALTER FUNCTION civicgrid_compact_case_metrics(integer) SET plan_cache_mode = force_custom_plan;

-- Events, the ImportLog, imports, import runs and checkpoints are append-only: any UPDATE, DELETE or
-- TRUNCATE statement is refused, even one that would touch no row. SQLSTATE CH001.

CREATE FUNCTION chronicle_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'chronicle.append_only: % is append-only', TG_TABLE_NAME
    USING ERRCODE = 'CH001', DETAIL = format('%s refused', TG_OP);
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION chronicle_refuse_change();
CREATE TRIGGER import_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON import_log
  FOR EACH STATEMENT EXECUTE FUNCTION chronicle_refuse_change();
CREATE TRIGGER imports_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON imports
  FOR EACH STATEMENT EXECUTE FUNCTION chronicle_refuse_change();
CREATE TRIGGER import_runs_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON import_runs
  FOR EACH STATEMENT EXECUTE FUNCTION chronicle_refuse_change();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION chronicle_refuse_change();

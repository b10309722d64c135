-- Campaign and import references, checked once per statement instead of once per row. The foreign keys of
-- 0001 looked a campaign up for every row written, and an import up for every event and ImportLog row at
-- commit: a 200,000-object import writes ~600,000 rows, and those lookups were ~40% of the server's time
-- for it (ADR 0003 §8). The same guarantees, at a cost per statement:
--   * every row's campaign exists: checked after each INSERT or COPY statement over its new rows; and a
--     campaign can no longer be changed or removed (nothing ever did so, and the foreign keys refused it for
--     any campaign with rows), so a reference that held stays true;
--   * by commit, every import that an event or ImportLog row names exists: each statement notes the imports
--     its rows name in import_references (one row per import), whose own foreign key to imports is checked
--     at commit, as the per-row keys were.
-- imports and checkpoints keep their foreign keys to campaigns: one row per import or checkpoint.

ALTER TABLE events DROP CONSTRAINT events_campaign_id_fkey, DROP CONSTRAINT events_import_id_fkey;
ALTER TABLE import_log DROP CONSTRAINT import_log_campaign_id_fkey, DROP CONSTRAINT import_log_import_id_fkey;
ALTER TABLE entities DROP CONSTRAINT entities_campaign_id_fkey;
ALTER TABLE edges DROP CONSTRAINT edges_campaign_id_fkey;
ALTER TABLE tags DROP CONSTRAINT tags_campaign_id_fkey;
ALTER TABLE affordances DROP CONSTRAINT affordances_campaign_id_fkey;
ALTER TABLE chunks DROP CONSTRAINT chunks_campaign_id_fkey;

CREATE TRIGGER campaigns_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON campaigns
  FOR EACH STATEMENT EXECUTE FUNCTION chronicle_refuse_change();

-- The imports that events and ImportLog rows name, one row each, checked against imports at commit.
CREATE TABLE import_references (
  import_id bigint PRIMARY KEY REFERENCES imports (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE TRIGGER import_references_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON import_references
  FOR EACH STATEMENT EXECUTE FUNCTION chronicle_refuse_change();

-- Refuses a statement whose new rows name a campaign that does not exist (SQLSTATE 23503, as a foreign key).
CREATE FUNCTION chronicle_check_campaigns() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  missing bigint;
BEGIN
  SELECT named.campaign_id INTO missing
    FROM (SELECT DISTINCT campaign_id FROM new_rows) AS named
   WHERE NOT EXISTS (SELECT 1 FROM campaigns WHERE campaigns.id = named.campaign_id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'chronicle.missing_campaign: % row names campaign %, which does not exist', TG_TABLE_NAME,
      missing USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

-- Notes the imports that a statement's new rows name, for import_references' check at commit.
CREATE FUNCTION chronicle_note_imports() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO import_references (import_id)
    SELECT DISTINCT import_id FROM new_rows WHERE import_id IS NOT NULL
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE TRIGGER events_campaigns AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chronicle_check_campaigns();
CREATE TRIGGER events_imports AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chronicle_note_imports();
CREATE TRIGGER import_log_campaigns AFTER INSERT ON import_log
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chronicle_check_campaigns();
CREATE TRIGGER import_log_imports AFTER INSERT ON import_log
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chronicle_note_imports();
CREATE TRIGGER entities_campaigns AFTER INSERT ON entities
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chronicle_check_campaigns();
CREATE TRIGGER edges_campaigns AFTER INSERT ON edges
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chronicle_check_campaigns();
CREATE TRIGGER tags_campaigns AFTER INSERT ON tags
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chronicle_check_campaigns();
CREATE TRIGGER affordances_campaigns AFTER INSERT ON affordances
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chronicle_check_campaigns();
CREATE TRIGGER chunks_campaigns AFTER INSERT ON chunks
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chronicle_check_campaigns();

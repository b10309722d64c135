-- What the audit (verify, export) needs to read a campaign in one pass with constant memory.
--
-- Projection rows are read in the order of the events that created them (verify walks the chain once and
-- checks each projection row beside its creating event), so each projection table gets an index on
-- (campaign_id, event_ordinal).
CREATE INDEX ix_entities_event_ordinal ON entities (campaign_id, event_ordinal);
CREATE INDEX ix_edges_event_ordinal ON edges (campaign_id, event_ordinal);
CREATE INDEX ix_tags_event_ordinal ON tags (campaign_id, event_ordinal);
CREATE INDEX ix_affordances_event_ordinal ON affordances (campaign_id, event_ordinal);
CREATE INDEX ix_chunks_event_ordinal ON chunks (campaign_id, event_ordinal);

-- True when the queryable jsonb payload is the document the stored canonical bytes hold. A tampered byte
-- can make those bytes invalid UTF-8 or invalid JSON: that is a mismatch to report, not an error that
-- stops the verification.
CREATE FUNCTION chronicle_payload_matches(canonical bytea, payload jsonb) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN payload = convert_from(canonical, 'UTF8')::jsonb;
EXCEPTION WHEN OTHERS THEN
  RETURN false;
END
$$;

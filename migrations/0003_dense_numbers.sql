-- Dense numbering per campaign: events.replay_ordinal is 0, 1, 2, ... and import_log.sequence_no is 1, 2,
-- 3, ... with no gap. Checked once per INSERT or COPY statement (not per row) on its transition table: for
-- each campaign in the new rows, they must be consecutive and follow the campaign's last number directly.
-- SQLSTATE CH002, message '<tag> campaign <id> expected <n> got <m>'.
-- Arguments: the numbered column, the first number of a campaign, the tag of the error message.

CREATE FUNCTION chronicle_check_dense() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  col text := TG_ARGV[0];
  first_number bigint := TG_ARGV[1]::bigint;
  tag text := TG_ARGV[2];
  batch record;
  below bigint;
  top bigint;
  missing bigint;
  next_present bigint;
BEGIN
  FOR batch IN EXECUTE format(
    'SELECT campaign_id, min(%1$I) AS lo, max(%1$I) AS hi, count(*) AS n FROM new_rows GROUP BY campaign_id', col)
  LOOP
    -- The rows must continue the campaign: nothing new below the first new number's predecessor...
    EXECUTE format('SELECT max(%1$I) FROM %2$I.%3$I WHERE campaign_id = $1 AND %1$I < $2',
                   col, TG_TABLE_SCHEMA, TG_TABLE_NAME)
      INTO below USING batch.campaign_id, batch.lo;
    IF coalesce(below + 1, first_number) <> batch.lo THEN
      RAISE EXCEPTION '% campaign % expected % got %', tag, batch.campaign_id, coalesce(below + 1, first_number),
        batch.lo USING ERRCODE = 'CH002';
    END IF;
    -- ... no hole among the new rows (numbers are unique, so n = hi - lo + 1 means consecutive) ...
    IF batch.n <> batch.hi - batch.lo + 1 THEN
      EXECUTE format('SELECT min(r.%1$I) + 1 FROM new_rows r WHERE r.campaign_id = $1 AND NOT EXISTS '
                     '(SELECT 1 FROM new_rows s WHERE s.campaign_id = $1 AND s.%1$I = r.%1$I + 1)', col)
        INTO missing USING batch.campaign_id;
      EXECUTE format('SELECT min(%1$I) FROM new_rows WHERE campaign_id = $1 AND %1$I > $2', col)
        INTO next_present USING batch.campaign_id, missing;
      RAISE EXCEPTION '% campaign % expected % got %', tag, batch.campaign_id, missing, next_present
        USING ERRCODE = 'CH002';
    END IF;
    -- ... and nothing already stored above them.
    EXECUTE format('SELECT max(%1$I) FROM %2$I.%3$I WHERE campaign_id = $1', col, TG_TABLE_SCHEMA, TG_TABLE_NAME)
      INTO top USING batch.campaign_id;
    IF top <> batch.hi THEN
      RAISE EXCEPTION '% campaign % expected % got %', tag, batch.campaign_id, top + 1, batch.lo
        USING ERRCODE = 'CH002';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

CREATE TRIGGER events_dense_ordinals AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION chronicle_check_dense('replay_ordinal', '0', 'chronicle.ordinal_gap');
CREATE TRIGGER import_log_dense_sequence AFTER INSERT ON import_log
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION chronicle_check_dense('sequence_no', '1', 'chronicle.sequence_gap');

-- The dense-numbering check of 0003, with the same checks and errors, asking for the campaign's numbers as
-- "the first key in primary-key order" (ORDER BY ... LIMIT 1) instead of max(). Right after a big import the
-- planner has no statistics for a new campaign: it answered max() (and even an equality probe) by walking
-- every row of the campaign in the idempotency-key index, once per statement, so an import written in many
-- statements became quadratic. An ORDER BY on the primary key's columns only the primary key can serve.

CREATE OR REPLACE FUNCTION chronicle_check_dense() RETURNS trigger
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
    EXECUTE format('SELECT %1$I FROM %2$I.%3$I WHERE campaign_id = $1 AND %1$I < $2 '
                   'ORDER BY campaign_id DESC, %1$I DESC LIMIT 1', col, TG_TABLE_SCHEMA, TG_TABLE_NAME)
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
    EXECUTE format('SELECT %1$I FROM %2$I.%3$I WHERE campaign_id = $1 ORDER BY campaign_id DESC, %1$I DESC LIMIT 1',
                   col, TG_TABLE_SCHEMA, TG_TABLE_NAME)
      INTO top USING batch.campaign_id;
    IF top <> batch.hi THEN
      RAISE EXCEPTION '% campaign % expected % got %', tag, batch.campaign_id, top + 1, batch.lo
        USING ERRCODE = 'CH002';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

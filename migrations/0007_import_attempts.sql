-- Import attempts in progress, so that an attempt whose process died before it wrote its run record (SIGKILL, out
-- of memory, a lost connection) is recorded all the same (src/importer/attempts.ts, ADR 0004). As it starts, an
-- import inserts its row here and takes a shared advisory lock on its run id, both in autocommit on the one
-- connection it keeps to its end; the transaction that commits sets import_id; the run record deletes the row. A row whose lock nobody holds belongs to a process that is gone: the next import (or
-- `chronicle runs`) deletes it and records the attempt: rolled back with code import.abandoned, or, with an
-- import_id, committed. Not part of the ledger: rows come and go.
CREATE TABLE import_attempts (
  run_id text PRIMARY KEY,
  campaign text NOT NULL,
  package_id text,
  manifest_hash text,
  pid integer NOT NULL,
  host text NOT NULL,
  started_at timestamptz NOT NULL,
  import_id bigint
);

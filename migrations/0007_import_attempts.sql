-- Import attempts in progress, so that an attempt whose process died mid-import (SIGKILL, out of memory, a lost
-- connection) is still recorded in import_runs (src/importer/attempts.ts). Before its transaction begins an import
-- inserts its row here and takes a shared advisory lock on its run id, both in autocommit on the transaction's own
-- connection; the transaction that commits deletes the row, and so does the run record of any other outcome.
-- A row whose lock nobody holds belongs to a process that is gone: the next import (or `chronicle runs`) deletes
-- it and records the attempt as rolled back with code import.abandoned. Not part of the ledger: rows come and go.
CREATE TABLE import_attempts (
  run_id text PRIMARY KEY,
  campaign text NOT NULL,
  package_id text,
  manifest_hash text,
  pid integer NOT NULL,
  host text NOT NULL,
  started_at timestamptz NOT NULL
);

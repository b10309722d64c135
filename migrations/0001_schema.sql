-- Chronicle schema: campaigns, the ledger (events), imports and their logs, projections, checkpoints.
-- Ids are bigint, timestamps timestamptz, strings text. Hashes are lowercase hex text, except the event
-- chain's raw hashes (bytea). Append-only and dense-numbering rules are in the next migrations.

CREATE TABLE campaigns (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug text NOT NULL CONSTRAINT ux_campaigns_slug UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per committed import, written last in its transaction (events and log rows reference it, hence
-- their deferred foreign keys).
CREATE TABLE imports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  package_id text NOT NULL,
  manifest_hash text NOT NULL,
  state_digest text NOT NULL,
  files_digest text NOT NULL,
  first_ordinal bigint NOT NULL,
  last_ordinal bigint NOT NULL,
  tip_hash text NOT NULL,
  counts jsonb NOT NULL,
  events_appended int NOT NULL,
  objects_skipped int NOT NULL,
  first_sequence_no bigint NOT NULL,
  last_sequence_no bigint NOT NULL,
  duration_ms int NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ux_imports_campaign_manifest_hash UNIQUE (campaign_id, manifest_hash)
);

-- The hash-chained ledger: ordinals 0, 1, 2, ... per campaign. payload_canonical holds the exact bytes that
-- were hashed; payload is the same document as jsonb, for queries only.
CREATE TABLE events (
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  replay_ordinal bigint NOT NULL CHECK (replay_ordinal >= 0),
  event_type text NOT NULL,
  event_schema_version int NOT NULL DEFAULT 1,
  world_time bigint NOT NULL,
  wall_time_utc timestamptz NOT NULL,
  prev_event_hash bytea NOT NULL CHECK (octet_length(prev_event_hash) = 32),
  payload_hash bytea NOT NULL CHECK (octet_length(payload_hash) = 32),
  idempotency_key bytea NOT NULL CHECK (octet_length(idempotency_key) = 16),
  envelope_hash bytea NOT NULL CHECK (octet_length(envelope_hash) = 32),
  payload_canonical bytea NOT NULL,
  payload jsonb NOT NULL,
  import_id bigint REFERENCES imports (id) DEFERRABLE INITIALLY DEFERRED,
  actor_id text DEFAULT 'importer',
  PRIMARY KEY (campaign_id, replay_ordinal),
  CONSTRAINT ux_events_campaign_idempotency_key UNIQUE (campaign_id, idempotency_key)
);

-- The ImportLog: one row per imported object, sequence_no 1, 2, 3, ... per campaign across imports.
CREATE TABLE import_log (
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  sequence_no bigint NOT NULL CHECK (sequence_no >= 1),
  import_id bigint NOT NULL REFERENCES imports (id) DEFERRABLE INITIALLY DEFERRED,
  phase text NOT NULL CHECK (phase IN ('manifest', 'entity', 'edge', 'ontology', 'lore', 'finalization')),
  object_type text NOT NULL,
  stable_id text NOT NULL,
  file_hash text NOT NULL,
  action text NOT NULL CHECK (action IN ('validated', 'created', 'ingested', 'skipped', 'completed')),
  manifest_hash text NOT NULL,
  event_ordinal bigint,
  logged_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, sequence_no)
);

-- Every import attempt, whatever its outcome. It names the campaign by slug and has no foreign keys: a
-- rolled-back attempt's campaign and import rows do not exist.
CREATE TABLE import_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id text NOT NULL CONSTRAINT ux_import_runs_run_id UNIQUE,
  campaign text NOT NULL,
  package_id text,
  manifest_hash text,
  outcome text NOT NULL CHECK (outcome IN ('committed', 'noop', 'rolled_back', 'disabled')),
  import_id bigint,
  phase text,
  error_code text,
  error_message text,
  fault_point text,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL
);

-- Projections: the current objects of a campaign, with provenance. Tags and affordances are keyed by
-- (id, category); the other kinds use category ''.
CREATE TABLE entities (
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  stable_id text NOT NULL,
  category text NOT NULL DEFAULT '',
  object_type text NOT NULL,
  package_id text NOT NULL,
  source_path text NOT NULL,
  content_hash text NOT NULL,
  file_hash text NOT NULL,
  event_ordinal bigint NOT NULL,
  payload jsonb NOT NULL,
  kind text GENERATED ALWAYS AS (payload ->> 'kind') STORED,
  name text GENERATED ALWAYS AS (payload ->> 'name') STORED,
  PRIMARY KEY (campaign_id, stable_id, category)
);

CREATE TABLE edges (
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  stable_id text NOT NULL,
  category text NOT NULL DEFAULT '',
  object_type text NOT NULL,
  package_id text NOT NULL,
  source_path text NOT NULL,
  content_hash text NOT NULL,
  file_hash text NOT NULL,
  event_ordinal bigint NOT NULL,
  payload jsonb NOT NULL,
  type text GENERATED ALWAYS AS (payload ->> 'type') STORED,
  src_ref text GENERATED ALWAYS AS (payload ->> 'src_ref') STORED,
  dst_ref text GENERATED ALWAYS AS (payload ->> 'dst_ref') STORED,
  PRIMARY KEY (campaign_id, stable_id, category)
);

CREATE TABLE tags (
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  stable_id text NOT NULL,
  category text NOT NULL DEFAULT '',
  object_type text NOT NULL,
  package_id text NOT NULL,
  source_path text NOT NULL,
  content_hash text NOT NULL,
  file_hash text NOT NULL,
  event_ordinal bigint NOT NULL,
  payload jsonb NOT NULL,
  PRIMARY KEY (campaign_id, stable_id, category)
);

CREATE TABLE affordances (
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  stable_id text NOT NULL,
  category text NOT NULL DEFAULT '',
  object_type text NOT NULL,
  package_id text NOT NULL,
  source_path text NOT NULL,
  content_hash text NOT NULL,
  file_hash text NOT NULL,
  event_ordinal bigint NOT NULL,
  payload jsonb NOT NULL,
  PRIMARY KEY (campaign_id, stable_id, category)
);

CREATE TABLE chunks (
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  stable_id text NOT NULL,
  category text NOT NULL DEFAULT '',
  object_type text NOT NULL,
  package_id text NOT NULL,
  source_path text NOT NULL,
  content_hash text NOT NULL,
  file_hash text NOT NULL,
  event_ordinal bigint NOT NULL,
  payload jsonb NOT NULL,
  chunk_index int GENERATED ALWAYS AS ((payload ->> 'chunk_index')::int) STORED,
  content text GENERATED ALWAYS AS (payload ->> 'content') STORED,
  PRIMARY KEY (campaign_id, stable_id, category)
);

-- Tip documents (digests auditors keep outside the database), optionally signed.
CREATE TABLE checkpoints (
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  ordinal bigint NOT NULL,
  tip_hash text NOT NULL,
  events bigint NOT NULL,
  state_digest text,
  created_at timestamptz NOT NULL DEFAULT now(),
  key_id text,
  signature text,
  document bytea NOT NULL,
  PRIMARY KEY (campaign_id, ordinal, created_at)
);

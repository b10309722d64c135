-- Chronicle least-privilege roles (PostgreSQL 15+). See docs/audit.md, "Least privilege".
--
-- Run as an administrator (a role with CREATEROLE that owns the Chronicle tables, or a superuser), in the
-- Chronicle database, AFTER `chronicle migrate` has been run by the owning role:
--
--   psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 -f docs/sql/least-privilege.sql
--   psql "$ADMIN_DATABASE_URL" -c "ALTER ROLE chronicle_importer PASSWORD '...'"   -- or certificates
--   psql "$ADMIN_DATABASE_URL" -c "ALTER ROLE chronicle_auditor PASSWORD '...'"
--
-- Re-running it is safe (it starts every grant from nothing). Run it again after a migration that adds a table.
--
-- chronicle_importer: runs `chronicle import` and `chronicle checkpoint`. It may SELECT and INSERT, nothing
--   else: no UPDATE, DELETE or TRUNCATE on any table, so the ledger is append-only for it even before the
--   append-only triggers are reached. The one exception is import_attempts, which is not part of the ledger: an
--   import marks its own row there when it commits and deletes it once recorded, and deletes the row of an
--   attempt whose process died once it recorded that attempt. It owns nothing, so it cannot ALTER TABLE ... DISABLE TRIGGER, and it
--   is not a superuser, so it cannot SET session_replication_role = replica either.
-- chronicle_auditor: runs `chronicle verify` and `chronicle export`: SELECT only.
--
-- The tables stay owned by the role that ran the migrations; nobody should import or audit as that role.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chronicle_importer') THEN
    CREATE ROLE chronicle_importer LOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chronicle_auditor') THEN
    CREATE ROLE chronicle_auditor LOGIN;
  END IF;
END
$$;

-- No attribute that would bypass the grants below.
ALTER ROLE chronicle_importer NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;
ALTER ROLE chronicle_auditor NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;

-- The schema: usable, not writable (PostgreSQL 15 already refuses CREATE to PUBLIC; older versions did not).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO chronicle_importer, chronicle_auditor;

-- Start from nothing on every Chronicle table.
REVOKE ALL ON
  campaigns, imports, events, import_log, import_references, import_runs, checkpoints,
  entities, edges, tags, affordances, chunks, chronicle_migrations, import_attempts
  FROM PUBLIC, chronicle_importer, chronicle_auditor;

-- Importer: read and append.
GRANT SELECT, INSERT ON
  campaigns, imports, events, import_log, import_references, import_runs, checkpoints,
  entities, edges, tags, affordances, chunks
  TO chronicle_importer;
-- Attempts in progress (not the ledger): each import adds its row, marks it at its commit, deletes it when recorded.
GRANT SELECT, INSERT, UPDATE, DELETE ON import_attempts TO chronicle_importer;
-- The identity sequences behind campaigns, imports and import_runs (nextval only).
DO $$
DECLARE
  seq text;
BEGIN
  FOREACH seq IN ARRAY ARRAY[
    pg_get_serial_sequence('campaigns', 'id'),
    pg_get_serial_sequence('imports', 'id'),
    pg_get_serial_sequence('import_runs', 'id')
  ] LOOP
    EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM PUBLIC, chronicle_importer, chronicle_auditor', seq);
    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO chronicle_importer', seq);
  END LOOP;
END
$$;

-- Auditor: read only.
GRANT SELECT ON
  campaigns, imports, events, import_log, import_references, import_runs, checkpoints,
  entities, edges, tags, affordances, chunks, import_attempts
  TO chronicle_auditor;

-- Both check the schema version when they connect (chronicle refuses a database newer than itself).
GRANT SELECT ON chronicle_migrations TO chronicle_importer, chronicle_auditor;

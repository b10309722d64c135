/** Read side of campaigns for `campaigns`, `digest`, `log`, `runs` and checkpoints: the SQL and its typed results. */
import type { Session } from '../db/database.js';
import { DIGEST_PHASE, type DigestComponent, stateDigest } from '../plan/state-digest.js';
import { requireCampaignId } from './ledger-sql.js';

export interface CampaignSummary {
  campaign: string;
  /** Events up to the tip (its ordinal + 1: ordinals are dense from 0). */
  events: number;
  imports: number;
  tip_hash: string | null;
  last_import_at: string | null;
}

/** Every campaign by name, with its tip and imports: what is in this database at a glance. */
export async function listCampaigns(session: Session): Promise<CampaignSummary[]> {
  const rows = await session.query<{
    campaign: string;
    tip_ordinal: string | null;
    tip_hash: string | null;
    imports: number;
    last_import_at: string | null;
  }>(
    `SELECT c.slug AS campaign, t.replay_ordinal::text AS tip_ordinal, encode(t.envelope_hash, 'hex') AS tip_hash,
            i.imports, to_char(i.last_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS last_import_at
       FROM campaigns c
       LEFT JOIN LATERAL (SELECT replay_ordinal, envelope_hash FROM events e WHERE e.campaign_id = c.id
                           ORDER BY e.replay_ordinal DESC LIMIT 1) t ON true
       CROSS JOIN LATERAL (SELECT count(*)::int AS imports, max(committed_at) AS last_at FROM imports
                            WHERE imports.campaign_id = c.id) i
      ORDER BY c.slug COLLATE "C"`,
  );
  return rows.map((row) => ({
    campaign: row.campaign,
    events: row.tip_ordinal === null ? 0 : Number(row.tip_ordinal) + 1,
    imports: row.imports,
    tip_hash: row.tip_hash,
    last_import_at: row.last_import_at,
  }));
}

export interface CampaignDigest {
  campaign: string;
  stateDigest: string;
  components: number;
  imports: number;
}

/**
 * The state digest of a campaign's projections with the reference algorithm: one manifest component per
 * committed import plus one component per projection row. A campaign holding one package gives that
 * package's plan digest. A campaign that does not exist is refused (`campaign.not_found`).
 */
export async function campaignDigest(session: Session, campaign: string): Promise<CampaignDigest> {
  const id = await requireCampaignId(session, campaign);
  const rows = await session.query<DigestComponent & { kind: string }>(
    `SELECT 'manifest' AS kind, package_id AS stable_id, manifest_hash AS content_hash FROM imports WHERE campaign_id = $1
     UNION ALL SELECT 'entity', stable_id, content_hash FROM entities WHERE campaign_id = $1
     UNION ALL SELECT 'edge', stable_id, content_hash FROM edges WHERE campaign_id = $1
     UNION ALL SELECT 'tag', stable_id, content_hash FROM tags WHERE campaign_id = $1
     UNION ALL SELECT 'affordance', stable_id, content_hash FROM affordances WHERE campaign_id = $1
     UNION ALL SELECT 'chunk', stable_id, content_hash FROM chunks WHERE campaign_id = $1`,
    [id],
  );
  const components = rows.map((row) => ({
    phase: row.kind === 'manifest' ? 'manifest' : DIGEST_PHASE[row.kind as keyof typeof DIGEST_PHASE],
    stable_id: row.stable_id,
    content_hash: row.content_hash,
  }));
  return {
    campaign,
    stateDigest: stateDigest(components),
    components: components.length,
    imports: rows.filter((r) => r.kind === 'manifest').length,
  };
}

export interface ImportLogRow {
  sequence_no: number;
  import_id: number;
  phase: string;
  object_type: string;
  stable_id: string;
  file_hash: string;
  action: string;
  manifest_hash: string;
  event_ordinal: number | null;
}

/**
 * The first `limit` rows (all without one) of a campaign's ImportLog, in sequence order. A campaign that does
 * not exist is refused (`campaign.not_found`).
 */
export async function importLog(session: Session, campaign: string, limit?: number): Promise<ImportLogRow[]> {
  const id = await requireCampaignId(session, campaign);
  const rows = await session.query<Record<string, unknown>>(
    `SELECT l.sequence_no::text AS sequence_no, l.import_id::text AS import_id, l.phase, l.object_type, l.stable_id,
            l.file_hash, l.action, l.manifest_hash, l.event_ordinal::text AS event_ordinal
       FROM import_log l WHERE l.campaign_id = $1 ORDER BY l.sequence_no LIMIT $2`,
    [id, limit ?? null],
  );
  return rows.map((r) => ({
    sequence_no: Number(r.sequence_no),
    import_id: Number(r.import_id),
    phase: String(r.phase),
    object_type: String(r.object_type),
    stable_id: String(r.stable_id),
    file_hash: String(r.file_hash),
    action: String(r.action),
    manifest_hash: String(r.manifest_hash),
    event_ordinal: r.event_ordinal === null ? null : Number(r.event_ordinal),
  }));
}

export interface RunRow {
  run_id: string;
  campaign: string;
  package_id: string | null;
  manifest_hash: string | null;
  outcome: string;
  phase: string | null;
  error_code: string | null;
  error_message: string | null;
  fault_point: string | null;
  started_at: string;
  finished_at: string;
}

/** The `limit` most recently started attempts (of one campaign, or all), by start time, oldest first. */
export async function importRuns(session: Session, campaign?: string, limit = 50): Promise<RunRow[]> {
  const rows = await session.query<Record<string, unknown>>(
    `SELECT run_id, campaign, package_id, manifest_hash, outcome, phase, error_code, error_message, fault_point,
            to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS started_at,
            to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS finished_at
       FROM import_runs WHERE ($1::text IS NULL OR campaign = $1)
      ORDER BY started_at DESC, id DESC LIMIT $2`,
    [campaign ?? null, limit],
  );
  return rows.reverse() as unknown as RunRow[];
}

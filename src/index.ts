// The public API: what a TypeScript user (and the CLI) imports.
export * from './errors.js';
export type { JsonValue } from './canonical/index.js';
export { DEFAULT_PLAN_OPTIONS, type PlanOptions } from './phases/types.js';
export { planImport, planSnapshot } from './plan/plan-import.js';
export { importLogEntries } from './plan/import-log.js';
export type { Counts, ImportPlan, PlannedEvent, PlannedObject } from './plan/types.js';
export { openDatabase } from './db/open-database.js';
export type { Backend, Database, OpenOptions, Session } from './db/database.js';
export { migrate } from './db/migrate.js';
export { tableDigest, databaseDigest } from './db/table-digest.js';
export {
  DEFAULT_CAMPAIGN,
  importPackage,
  type ImportOptions,
  type ImportOutcome,
  type ImportProgress,
  type ImportResult,
} from './importer/import-package.js';
export { campaignDigest, importLog, importRuns, type CampaignDigest } from './importer/campaign-read.js';
export { fixedClock, sequentialRunIds, systemClock, type Clock } from './importer/clock.js';
export { armFaults, checkFaultsSupported, parseFaultSpec, FaultInjectedError, type FaultSpec } from './importer/faults.js';
export { verifyCampaign, type VerifyOptions } from './ledger/verify-campaign.js';
export type { ProblemKind, VerifyProblem, VerifyReport } from './ledger/chain-verifier.js';
export { runAudit, type AgainstOptions, type AgainstReport, type AuditOptions, type AuditReport } from './ledger/audit.js';
export type { AuditSource } from './ledger/audit-records.js';
export { verifyBundle, type VerifyBundleOptions } from './ledger/verify-bundle.js';
export { exportBundle, type ExportOptions, type ExportResult } from './ledger/export-bundle.js';
export { BUNDLE_FORMAT, BundleFormatError } from './ledger/bundle-format.js';
export { createCheckpoint, type CheckpointOptions, type CheckpointResult } from './ledger/create-checkpoint.js';
export {
  CHECKPOINT_FORMAT,
  type CheckpointDocument,
  checkpointFileText,
  checkSignature,
  DEFAULT_DENSE_TRAIL,
  parseCheckpoint,
  signCheckpoint,
  signedBytes,
} from './ledger/checkpoint.js';
export { generateSigningKeyPair, keyIdOf, privateKeyFromPem, publicKeyFromPem } from './ledger/keys.js';
export { Metrics, METRIC_NAMES } from './observability/metrics.js';
export { checkPushgatewayUrl, pushMetrics, PUSH_JOB, writeMetricsFile } from './observability/export-metrics.js';
export { createLogger, LOG_EVENTS, type Logger } from './observability/logger.js';
export * from './harness/index.js';

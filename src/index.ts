// The public API: what a TypeScript user (and the CLI) imports.

export type { JsonValue } from './canonical/index.js';
export { type Clock, fixedClock, sequentialRunIds, systemClock } from './clock.js';
export type {
  Backend,
  Database,
  OpenOptions,
  ReservedSession,
  Session,
  Transactions,
} from './db/database.js';
export { migrate } from './db/migrate.js';
export { openDatabase } from './db/open-database.js';
export { databaseDigest, tableDigest } from './db/table-digest.js';
export * from './errors.js';
export * from './harness/index.js';
export {
  type AttemptRecord,
  type AttemptsLeft,
  attemptsLeft,
  recordAbandonedAttempts,
} from './importer/attempts.js';
export {
  armFaults,
  checkFaultsSupported,
  FaultInjectedError,
  type FaultSpec,
  parseFaultSpec,
} from './importer/faults.js';
export {
  DEFAULT_CAMPAIGN,
  type ImportOptions,
  type ImportOutcome,
  type ImportProgress,
  type ImportResult,
  type ImportStage,
  importPackage,
} from './importer/import-package.js';
export {
  type AgainstOptions,
  type AgainstReport,
  type AuditOptions,
  type AuditReport,
  runAudit,
} from './ledger/audit.js';
export type { AuditSource } from './ledger/audit-records.js';
export { BUNDLE_FORMAT, BundleFormatError, BundleUnreadableError } from './ledger/bundle-format.js';
export {
  type CampaignDigest,
  type CampaignSummary,
  campaignDigest,
  importLog,
  importRuns,
  listCampaigns,
} from './ledger/campaign-read.js';
export type { ProblemKind, VerifyProblem, VerifyReport } from './ledger/chain-verifier.js';
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
export {
  type CheckpointOptions,
  type CheckpointResult,
  createCheckpoint,
} from './ledger/create-checkpoint.js';
export { type ExportOptions, type ExportResult, exportBundle } from './ledger/export-bundle.js';
export { generateSigningKeyPair, keyIdOf, privateKeyFromPem, publicKeyFromPem } from './ledger/keys.js';
export { type VerifyBundleOptions, verifyBundle } from './ledger/verify-bundle.js';
export { type VerifyOptions, verifyCampaign } from './ledger/verify-campaign.js';
export {
  checkPushgatewayUrl,
  PUSH_JOB,
  pushMetrics,
  writeMetricsFile,
} from './observability/export-metrics.js';
export { createLogger, LOG_EVENTS, type Logger } from './observability/logger.js';
export { METRIC_NAMES, Metrics } from './observability/metrics.js';
export { DEFAULT_PLAN_OPTIONS, type PlanOptions } from './phases/types.js';
export { planImport, planSnapshot } from './plan/plan-import.js';
export type { Counts, ImportPlan, PlannedEvent, PlannedObject } from './plan/types.js';

/**
 * The ImportLog's columns after `campaign_id`, in one order: the import writes them so (binary COPY), and
 * verification and export read them so.
 */
export const IMPORT_LOG_COLUMNS = [
  'sequence_no',
  'import_id',
  'phase',
  'object_type',
  'stable_id',
  'file_hash',
  'action',
  'manifest_hash',
  'event_ordinal',
  'logged_at',
] as const;

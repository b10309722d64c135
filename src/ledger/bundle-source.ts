/**
 * A bundle file as an audit source, with no database: each stream is its own sequential read of the file
 * that keeps only the lines of one kind, so memory stays constant however many events the bundle holds.
 * The event stream also checks the file's structure (header first, known kinds in section order, and an
 * end record whose counts match): a bundle that was cut short or altered in shape cannot be verified.
 */
import { stat } from 'node:fs/promises';
import type { AuditSource } from './audit-records.js';
import {
  BundleFormatError,
  type BundleHeader,
  BundleUnreadableError,
  decodeCheckpoint,
  decodeEnd,
  decodeEvent,
  decodeExactly,
  decodeHeader,
  decodeImport,
  decodeLogRow,
  decodeProjection,
  encodeCheckpoint,
  encodeEnd,
  encodeEvent,
  encodeHeader,
  encodeImport,
  encodeLogRow,
  encodeProjection,
  KIND_PREFIX,
  RECORD_KINDS,
  type RecordKind,
  type RecordReader,
  type SectionCounts,
} from './bundle-format.js';
import type { StoredEvent } from './chain-verifier.js';
import { readLines } from './line-reader.js';

function kindOf(text: string): RecordKind | null {
  for (const kind of RECORD_KINDS) if (text.startsWith(KIND_PREFIX[kind])) return kind;
  return null;
}

export interface BundleSource extends AuditSource {
  readonly header: BundleHeader;
}

/**
 * Opens a bundle: reads its header line; the streams read the file when iterated (each stopping at `signal`,
 * checked at every chunk read).
 */
export async function openBundle(path: string, label = path, signal?: AbortSignal): Promise<BundleSource> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const problem = code === 'ENOENT' ? 'no such bundle file' : `cannot read it (${code ?? String(error)})`;
    throw new BundleUnreadableError(`${label}: ${problem}`, { file: label });
  }
  if (!isFile)
    throw new BundleUnreadableError(`${label}: not a file (a bundle is one NDJSON file)`, { file: label });
  let header: BundleHeader | null = null;
  for await (const [line] of readLines(path, { signal })) {
    if (!line || kindOf(line.text) !== 'header') {
      throw new BundleFormatError(`${label} does not start with a bundle header`, { file: label });
    }
    header = decodeExactly(line.text, { file: label, line: 1 }, decodeHeader, encodeHeader);
    break;
  }
  if (!header) throw new BundleFormatError(`${label} is empty`, { file: label });
  const campaignId = header.campaign_id;
  const records = <T>(kind: RecordKind, decode: (r: RecordReader) => T, encode: (record: T) => string) =>
    async function* (): AsyncGenerator<T> {
      if (campaignId === null) return;
      const prefix = KIND_PREFIX[kind];
      for await (const lines of readLines(path, { signal })) {
        for (const line of lines) {
          if (line.text.startsWith(prefix))
            yield decodeExactly(line.text, { file: label, line: line.number }, decode, encode);
        }
      }
    };
  return {
    header,
    campaign: header.campaign,
    campaignId,
    events: () => checkedEvents(path, label, campaignId, signal),
    imports: records('import', decodeImport, encodeImport),
    importLog: records('import_log', decodeLogRow, encodeLogRow),
    projections: records('projection', decodeProjection, encodeProjection),
    checkpoints: records('checkpoint', decodeCheckpoint, encodeCheckpoint),
  };
}

/** The events, while checking the whole file's structure on the same read. */
async function* checkedEvents(
  path: string,
  label: string,
  campaignId: string | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<StoredEvent> {
  const counts: SectionCounts = { event: 0, import: 0, import_log: 0, projection: 0, checkpoint: 0 };
  let section = 0;
  let end: SectionCounts | null = null;
  for await (const lines of readLines(path, { signal })) {
    for (const line of lines) {
      const where = `${label} line ${line.number}`;
      const kind = kindOf(line.text);
      if (kind === null)
        throw new BundleFormatError(`${where} is not a bundle record`, { file: label, line: line.number });
      if (end !== null)
        throw new BundleFormatError(`${where} follows the end record`, { file: label, line: line.number });
      const order = RECORD_KINDS.indexOf(kind);
      if (order < section || (kind === 'header' && line.number !== 1)) {
        throw new BundleFormatError(`${where}: a ${kind} record out of section order`, {
          file: label,
          line: line.number,
        });
      }
      section = order;
      if (kind === 'end') {
        end = decodeExactly(line.text, { file: label, line: line.number }, decodeEnd, encodeEnd);
        continue;
      }
      if (kind === 'header') continue;
      counts[kind] += 1;
      if (kind === 'event') {
        if (campaignId === null)
          throw new BundleFormatError(`${where}: an event in a bundle of a campaign that does not exist`, {
            file: label,
            line: line.number,
          });
        yield decodeExactly(
          line.text,
          { file: label, line: line.number },
          (r) => decodeEvent(r, campaignId),
          encodeEvent,
        );
      }
    }
  }
  if (end === null)
    throw new BundleFormatError(`${label} has no end record: it was cut short`, { file: label });
  for (const kind of Object.keys(counts) as (keyof SectionCounts)[]) {
    if (counts[kind] !== end[kind]) {
      throw new BundleFormatError(
        `${label} holds ${counts[kind]} ${kind} records, its end record says ${end[kind]}`,
        { file: label },
      );
    }
  }
}

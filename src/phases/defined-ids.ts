/**
 * The stable ids a package file defines, read as far as its bytes still tell: an error about a file whose bytes
 * do not match content_index (tampered, or edited without `chronicle index`) then names the objects it touches,
 * not only the file. Best effort and never a rejection of its own: bytes that do not decode or parse, or a file
 * outside the phase folders, define no id that can be named.
 */
import { isJsonObject, type JsonValue, parseJson } from '../canonical/index.js';
import { decodeText } from '../package/decode-text.js';
import { chunkContents } from './lore-chunker.js';
import { readLoreDocument } from './lore-front-matter.js';

/** At most this many ids are named in an error (an edge file may define thousands). */
export const NAMED_IDS = 20;

/** The ids `bytes` define as the file at `path` (package-relative), in file order; empty if none can be named. */
export function definedStableIds(path: string, bytes: Uint8Array): string[] {
  try {
    const text = decodeText(bytes).text;
    const folder = path.slice(0, path.indexOf('/'));
    if (folder === 'lore' && path.endsWith('.md')) return loreChunkIds(text, path);
    if (!path.endsWith('.json')) return [];
    if (folder === 'entities' || folder === 'edges') return idsOf(parseJson(text), 'stable_id');
    if (folder === 'ontology' || folder === 'ontologies') {
      const value = parseJson(text);
      if (!isJsonObject(value)) return [];
      return [...idsOf(value.tags, 'tag_id'), ...idsOf(value.affordances, 'affordance_id')];
    }
    return [];
  } catch {
    return [];
  }
}

/** A lore chunk's stable id: its document's `chunk_id` and its index, zero-padded to three digits. */
export function chunkStableId(documentChunkId: string, index: number): string {
  return `${documentChunkId}-${String(index).padStart(3, '0')}`;
}

/** `ids` for an error: the facts (`stable_id` too when there is exactly one) and a clause for its message. */
export function namedIds(ids: readonly string[]): {
  facts: { stable_id?: string; stable_ids?: string[] };
  clause: string;
} {
  if (ids.length === 0) return { facts: {}, clause: '' };
  const [only] = ids;
  if (ids.length === 1 && only !== undefined) {
    return { facts: { stable_id: only, stable_ids: [only] }, clause: `; it defines ${only}` };
  }
  const named = ids.slice(0, NAMED_IDS);
  const more = ids.length - named.length;
  return {
    facts: { stable_ids: named },
    clause: `; it defines ${ids.length} objects: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
  };
}

function loreChunkIds(text: string, path: string): string[] {
  const { frontMatter, body } = readLoreDocument(text, path, { strict: false });
  return chunkContents(body).map((_, index) => chunkStableId(frontMatter.chunkId, index));
}

function idsOf(value: JsonValue | undefined, field: string): string[] {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.flatMap((item) => {
    const id = isJsonObject(item) ? item[field] : undefined;
    return typeof id === 'string' ? [id] : [];
  });
}

/**
 * The lore phase (NOTES §2.5): every `.md` file under `lore/`, in code-point order of its path, becomes chunks.
 * A chunk's content hash is the canonical-JSON SHA-256 of `{chunk_id, title, audience, sorted tags, content,
 * chunk_index, [embedding_hint]}`; its provenance carries the hash of the whole normalised file.
 * Two chunks with one id: identical content hashes collapse into one, different ones are a collision.
 */
import { canonicalHashHex, compareCodePoints, pyWordCount } from '../canonical/index.js';
import { PackageRejectedError } from '../errors.js';
import { decodePackageFile } from '../package/decode-text.js';
import { chunkStableId, namedIds } from './defined-ids.js';
import { chunkContents } from './lore-chunker.js';
import { type FrontMatter, readLoreDocument } from './lore-front-matter.js';
import {
  keepRecord,
  type Manifest,
  type PackageFile,
  type PackageSnapshot,
  type PhaseRecord,
  type PlanOptions,
  type Seal,
  type SealedKeys,
} from './types.js';

export function lorePhase<T extends SealedKeys = PhaseRecord>(
  snapshot: PackageSnapshot,
  options: PlanOptions,
  seal: Seal<T> = keepRecord<T>(),
): T[] {
  const files = [...snapshot.lore].sort((a, b) => compareCodePoints(a.path, b.path));
  const chunks = new UniqueChunks(seal);
  for (const file of files) {
    for (const chunk of fileChunks(file, snapshot.manifest, options)) chunks.add(chunk);
  }
  return chunks.kept();
}

function fileChunks(file: PackageFile, manifest: Manifest, options: PlanOptions): PhaseRecord[] {
  const { text, hash: fileHash } = decodePackageFile(file, 'lore');
  const { frontMatter, body } = readLoreDocument(text, file.path, options);
  const contents = chunkContents(body);
  // The reference compares per chunk, so it never checks a file without chunks; we check every listed file.
  const expected = manifest.contentIndex.get(file.path);
  if (expected !== undefined && expected !== fileHash) {
    const ids = namedIds(contents.map((_, index) => chunkStableId(frontMatter.chunkId, index)));
    throw new PackageRejectedError(
      'lore',
      'lore.hash_mismatch',
      `${file.path}: content hash mismatch after newline and NFC normalisation (content_index ${expected}, normalised file ${fileHash}); listed lore files must be LF-only and NFC${ids.clause}`,
      { file: file.path, ...ids.facts, expected_hash: expected, actual_hash: fileHash },
    );
  }
  const source: ChunkSource = {
    frontMatter,
    sourcePath: file.path,
    fileHash,
    provenance: {
      package_id: manifest.packageId,
      manifest_hash: manifest.manifestHash,
      source_path: file.path,
      file_hash: fileHash,
    },
    embeddings: options.embeddings,
  };
  return contents.map((content, index) => chunkRecord(source, content, index));
}

/** What every chunk of one file shares. */
interface ChunkSource {
  frontMatter: FrontMatter;
  sourcePath: string;
  fileHash: string;
  provenance: Record<string, string>;
  embeddings: boolean;
}

/** What a chunk's content hash covers. */
export interface ChunkFields {
  chunkId: string;
  title: string;
  audience: string;
  tags: readonly string[];
  content: string;
  chunkIndex: number;
  embeddingHint: string | undefined;
}

/** The hashed payload: tags sorted by code point, `embedding_hint` only when there is one. */
export function chunkHashPayload(chunk: ChunkFields): Record<string, unknown> {
  return {
    chunk_id: chunk.chunkId,
    title: chunk.title,
    audience: chunk.audience,
    tags: [...chunk.tags].sort(compareCodePoints),
    content: chunk.content,
    chunk_index: chunk.chunkIndex,
    ...(chunk.embeddingHint === undefined ? {} : { embedding_hint: chunk.embeddingHint }),
  };
}

function chunkRecord(source: ChunkSource, content: string, index: number): PhaseRecord {
  const { frontMatter, sourcePath, fileHash, provenance } = source;
  const chunkId = chunkStableId(frontMatter.chunkId, index);
  const hashed = chunkHashPayload({
    chunkId,
    title: frontMatter.title,
    audience: frontMatter.audience,
    tags: frontMatter.tags,
    content,
    chunkIndex: index,
    embeddingHint: source.embeddings ? frontMatter.embeddingHint : undefined,
  });
  const contentHash = canonicalHashHex(hashed);
  return {
    kind: 'chunk',
    stableId: chunkId,
    category: '',
    objectType: 'content_chunk',
    contentHash,
    sourcePath,
    fileHash,
    payload: {
      ...hashed,
      source_path: sourcePath,
      content_hash: contentHash,
      word_count: pyWordCount(content),
      provenance,
    },
  };
}

/**
 * Chunks arrive in (source_path, chunk_index) order; the first of an id wins, a different hash is refused. A
 * file that cannot be read is reported before any collision, as when the reference reads every file first.
 */
class UniqueChunks<T extends SealedKeys> {
  private readonly seen = new Map<string, T>();
  private collision: PackageRejectedError | null = null;

  constructor(private readonly seal: Seal<T>) {}

  add(chunk: PhaseRecord): void {
    const existing = this.seen.get(chunk.stableId);
    if (existing === undefined) {
      const sealed = this.seal(chunk);
      this.seen.set(sealed.stableId, sealed);
    } else if (existing.contentHash !== chunk.contentHash) {
      this.collision ??= new PackageRejectedError(
        'lore',
        'lore.collision',
        `chunk id ${chunk.stableId} has different content in ${existing.sourcePath} (content hash ${existing.contentHash}) and ${chunk.sourcePath} (content hash ${chunk.contentHash})`,
        {
          stable_id: chunk.stableId,
          file: chunk.sourcePath,
          actual_hash: chunk.contentHash,
          existing_file: existing.sourcePath,
          existing_hash: existing.contentHash,
        },
      );
    }
  }

  /** The chunks in order, the first of each id. */
  kept(): T[] {
    if (this.collision) throw this.collision;
    return [...this.seen.values()];
  }
}

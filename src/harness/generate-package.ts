/**
 * Writes a valid, realistic package of exactly N objects, deterministically from a seed: same seed and N, same
 * bytes, file for file. Proportions: 25% entities (all five kinds, one file each), 50% edges (three taxonomy
 * types, ~100 per array file), 5% tags and affordances (a few ontology files), 20% lore chunks (markdown files
 * of several `##` sections each). Files are written as they are generated; only ids and raw hashes are kept.
 * The result plans cleanly, `--strict` included, and `expectedCounts` is what the plan counts.
 */
import { UsageError } from '../errors.js';
import type { Counts } from '../plan/types.js';
import { prepareOutDir } from './out-dir.js';
import {
  buildAffordance,
  buildEdge,
  buildEntity,
  buildLoreDocument,
  buildTag,
  ENTITY_KINDS,
  type EntityKind,
  type EntityRefs,
  type JsonRecord,
  slugify,
} from './package-content.js';
import { PackageWriter } from './package-writer.js';
import { SeededRandom, UlidSequence } from './seeded-random.js';
import { LORE_FOLDERS } from './word-pools.js';

export interface GenerateOptions {
  /** About how many objects (entities + edges + tags + affordances + chunks); MIN_OBJECTS to MAX_OBJECTS. */
  objects: number;
  /** 0 to 4294967295. */
  seed: number;
  /** Created when absent; must be empty when present. */
  outDir: string;
}

export interface GeneratedPackage {
  dir: string;
  packageId: string;
  /** Files written, the manifest included. */
  files: number;
  /** The sum of `expectedCounts`. */
  objects: number;
  /** What planning the package counts. */
  expectedCounts: Counts;
}

export const MIN_OBJECTS = 20;
export const MAX_OBJECTS = 5_000_000;
export const MAX_SEED = 0xffff_ffff;
const EDGES_PER_FILE = 100;
const ONTOLOGY_FILES: readonly string[] = ['core', 'world', 'interactions', 'lore'];
const MIN_CHUNKS_PER_FILE = 2;
const MAX_CHUNKS_PER_FILE = 7;
/** 2024-01-01T00:00:00Z: ULID timestamps start within a year after it, at a seeded second. */
const BASE_TIME_MS = 1_704_067_200_000;
const YEAR_SECONDS = 365 * 24 * 3600;

/** Entity kinds after npc get these shares (at least one each); npc takes the rest (about 30%). */
const KIND_SHARES: Readonly<Record<Exclude<EntityKind, 'npc'>, number>> = {
  location: 0.25,
  item: 0.15,
  organization: 0.15,
  creature: 0.15,
};

export async function generatePackage(options: GenerateOptions): Promise<GeneratedPackage> {
  checkOptions(options);
  await prepareOutDir(options.outDir);
  const counts = planCounts(options.objects);
  const random = new SeededRandom(options.seed);
  const ids = new UlidSequence(random, BASE_TIME_MS + random.int(YEAR_SECONDS) * 1000);
  const packageId = ids.next();
  const writer = new PackageWriter(options.outDir);

  // Ids that are not ULIDs carry the seed: packages of other seeds then import side by side into one campaign.
  const namespace = `s${options.seed}`;
  const refs = writeEntities(writer, random, ids, counts.entities);
  writeOntology(writer, random, counts, refs, namespace);
  writeEdges(writer, random, ids, counts.edges, refs);
  writeLore(writer, random, counts.chunks, namespace);
  writer.writeText('README.md', readme(packageId, options, counts));
  writer.writeManifest({
    package_id: packageId,
    schema_version: 1,
    engine_contract_range: { min: '1.0.0', max: '2.0.0' },
    dependencies: [],
    content_index: {},
    ruleset_version: '1.4.0',
    recommended_flags: { 'features.importer': true },
  });

  return {
    dir: options.outDir,
    packageId,
    files: writer.listedFiles + 1,
    objects: options.objects,
    expectedCounts: counts,
  };
}

function checkOptions({ objects, seed }: GenerateOptions): void {
  if (!Number.isSafeInteger(objects) || objects < MIN_OBJECTS || objects > MAX_OBJECTS) {
    throw new UsageError(
      `objects must be a whole number from ${MIN_OBJECTS} to ${MAX_OBJECTS}, got ${objects}`,
      {
        option: 'objects',
      },
    );
  }
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new UsageError(`seed must be a whole number from 0 to ${MAX_SEED}, got ${seed}`, {
      option: 'seed',
    });
  }
}

/** The split of N objects; the counts add up to N exactly. */
export function planCounts(objects: number): Counts {
  const entities = Math.max(ENTITY_KINDS.length, Math.round(objects * 0.25));
  const ontology = Math.max(1, Math.round(objects * 0.05));
  const affordances = Math.floor(ontology * 0.4);
  const chunks = Math.max(1, Math.round(objects * 0.2));
  return {
    entities,
    edges: objects - entities - ontology - chunks,
    tags: ontology - affordances,
    affordances,
    chunks,
  };
}

function kindCounts(total: number): Record<EntityKind, number> {
  const counts: Record<EntityKind, number> = { npc: 0, location: 0, item: 0, organization: 0, creature: 0 };
  let rest = total;
  for (const [kind, share] of Object.entries(KIND_SHARES) as [EntityKind, number][]) {
    counts[kind] = Math.max(1, Math.floor(total * share));
    rest -= counts[kind];
  }
  counts.npc = rest;
  return counts;
}

function writeEntities(
  writer: PackageWriter,
  random: SeededRandom,
  ids: UlidSequence,
  total: number,
): EntityRefs {
  const refs: EntityRefs = { npc: [], location: [], item: [], organization: [], creature: [] };
  const perKind = kindCounts(total);
  for (const kind of ENTITY_KINDS) {
    for (let i = 1; i <= perKind[kind]; i += 1) {
      const entity = buildEntity(random, kind, ids.next());
      refs[kind].push(entity.stable_id as string);
      writer.writeJson(`entities/${kind}/${pad(i, 6)}-${slugify(entity.name as string)}.json`, entity);
    }
  }
  return refs;
}

/**
 * Up to four ontology files, each with at least one tag. Affordances apply to tags of the same or an earlier
 * file, so no file needs a later one.
 */
function writeOntology(
  writer: PackageWriter,
  random: SeededRandom,
  counts: Counts,
  refs: EntityRefs,
  namespace: string,
): void {
  const files = Math.min(ONTOLOGY_FILES.length, counts.tags);
  const tagIds: string[] = [];
  for (let f = 0; f < files; f += 1) {
    const tags: JsonRecord[] = [];
    for (let i = share(counts.tags, files, f); i < share(counts.tags, files, f + 1); i += 1) {
      const tag = buildTag(random, `${namespace}-${i + 1}`);
      tagIds.push(tag.tag_id as string);
      tags.push(tag);
    }
    const affordances: JsonRecord[] = [];
    for (let i = share(counts.affordances, files, f); i < share(counts.affordances, files, f + 1); i += 1) {
      affordances.push(buildAffordance(random, `${namespace}-${i + 1}`, tagIds, refs));
    }
    writer.writeJson(`ontology/${pad(f + 1, 2)}-${ONTOLOGY_FILES[f]}.json`, {
      version: '1.0.0',
      source: 'chronicle harness generate',
      tags,
      affordances,
    });
  }
}

/** Start of part `part` when `total` items are cut into `parts` nearly equal parts. */
function share(total: number, parts: number, part: number): number {
  return Math.floor((total * part) / parts);
}

function writeEdges(
  writer: PackageWriter,
  random: SeededRandom,
  ids: UlidSequence,
  total: number,
  refs: EntityRefs,
): void {
  for (let written = 0, file = 1; written < total; file += 1) {
    const batch: JsonRecord[] = [];
    const size = Math.min(EDGES_PER_FILE, total - written);
    for (let i = 0; i < size; i += 1) batch.push(buildEdge(random, ids, refs));
    writer.writeJson(`edges/batch-${pad(file, 5)}.json`, batch);
    written += size;
  }
}

function writeLore(writer: PackageWriter, random: SeededRandom, total: number, namespace: string): void {
  for (let written = 0, file = 1; written < total; file += 1) {
    const chunks = Math.min(total - written, random.between(MIN_CHUNKS_PER_FILE, MAX_CHUNKS_PER_FILE));
    const folder = random.pick(LORE_FOLDERS);
    const document = buildLoreDocument(random, `LORE-${namespace.toUpperCase()}-${pad(file, 6)}`, chunks);
    writer.writeText(`lore/${folder}/${pad(file, 6)}-${slugify(document.title)}.md`, document.text);
    written += chunks;
  }
}

function readme(packageId: string, { objects, seed }: GenerateOptions, counts: Counts): string {
  return [
    `# Generated package ${packageId}`,
    '',
    `Written by \`chronicle harness generate --objects ${objects} --seed ${seed}\`: ${counts.entities} entities,`,
    `${counts.edges} edges, ${counts.tags} tags, ${counts.affordances} affordances and ${counts.chunks} lore chunks.`,
    'Same seed and object count, same bytes. Test data only.',
    '',
  ].join('\n');
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * The objects of a generated package: entities, edges, tags, affordances and lore documents, each built from
 * the seeded random source in a fixed order. Everything here is valid for `--strict` planning: real ULIDs,
 * schema-conforming fields, edges that reference only the package's own entities, NFC text.
 */
import type { SeededRandom, UlidSequence } from './seeded-random.js';
import * as words from './word-pools.js';

export const ENTITY_KINDS = ['npc', 'location', 'item', 'organization', 'creature'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** Entity ids by kind: what edges may reference. */
export type EntityRefs = Record<EntityKind, string[]>;

export type JsonRecord = Record<string, unknown>;

export function buildEntity(random: SeededRandom, kind: EntityKind, stableId: string): JsonRecord {
  const entity: JsonRecord = { stable_id: stableId, kind, name: entityName(random, kind) };
  entity.tags = random.pickDistinct(words.ENTITY_TAGS, random.between(1, 3));
  entity.affordances = random.pickDistinct(words.ENTITY_AFFORDANCES, random.between(0, 3));
  if ((kind === 'npc' || kind === 'creature') && random.chance(0.6)) {
    entity.traits = random.pickDistinct(words.TRAITS, random.between(1, 2));
  }
  if (random.chance(0.5)) entity.props = entityProps(random, kind);
  return entity;
}

function entityName(random: SeededRandom, kind: EntityKind): string {
  switch (kind) {
    case 'npc':
      return `${random.pick(words.FIRST_NAMES)} ${random.pick(words.LAST_NAMES)}`;
    case 'location':
      return `${random.pick(words.PLACE_WORDS)} ${random.pick(words.PLACE_KINDS)}`;
    case 'item':
      return `${random.pick(words.ITEM_QUALITIES)} ${random.pick(words.ITEM_WORDS)}`;
    case 'organization':
      return `The ${random.pick(words.PLACE_WORDS)} ${random.pick(words.ORGANIZATION_KINDS)}`;
    case 'creature':
      return `${random.pick(words.PLACE_WORDS)} ${random.pick(words.CREATURE_KINDS)}`;
  }
}

/** Integers and booleans only: numbers a reader can check by eye. */
function entityProps(random: SeededRandom, kind: EntityKind): JsonRecord {
  switch (kind) {
    case 'npc':
      return { age: random.between(16, 90), lamp_hours: random.between(0, 20_000) };
    case 'location':
      return { population: random.between(0, 5_000), elevation_m: random.between(-10, 900) };
    case 'item':
      return { weight_kg: random.between(1, 400), cracked: random.chance(0.3) };
    case 'organization':
      return { founded_year: random.between(900, 1_450), members: random.between(3, 300) };
    case 'creature':
      return { count: random.between(1, 500), dangerous: random.chance(0.4) };
  }
}

/** An edge of one of the three taxonomy types, with its required attributes and validity. */
export function buildEdge(random: SeededRandom, ids: UlidSequence, refs: EntityRefs): JsonRecord {
  const stableId = ids.next();
  const roll = random.next();
  let edge: JsonRecord;
  if (roll < 0.45) {
    const attributes: JsonRecord = {
      relationship_context: `${random.pick(words.ROLES)} since ${random.pick(words.EVENTS)}`,
    };
    if (random.chance(0.5)) attributes.duty_schedule = random.pick(words.SCHEDULES);
    edge = edgeRecord(
      stableId,
      'npc.resides_in.location',
      random.pick(refs.npc),
      random.pick(refs.location),
      attributes,
    );
    if (random.chance(0.2)) edge.validity = validity(random, ids);
  } else if (roll < 0.65) {
    const attributes: JsonRecord = {
      charter_clause: `${random.pick(words.PLACE_WORDS)} Charter, article ${random.between(1, 40)}`,
      oversight: random.pick(words.OVERSIGHTS),
    };
    edge = edgeRecord(
      stableId,
      'organization.controls.location',
      random.pick(refs.organization),
      random.pick(refs.location),
      attributes,
    );
    edge.validity = validity(random, ids);
  } else {
    const attributes: JsonRecord = {};
    if (random.chance(0.5)) attributes.distance = random.between(1, 400) / 10;
    if (random.chance(0.7)) attributes.connection_type = random.pick(words.CONNECTIONS);
    const [src, dst] = twoLocations(random, refs.location);
    edge = edgeRecord(stableId, 'adjacent_to', src, dst, attributes);
  }
  if (random.chance(0.1)) edge.annotations = { note: sentence(random) };
  return edge;
}

function edgeRecord(
  stableId: string,
  type: string,
  src: string,
  dst: string,
  attributes: JsonRecord,
): JsonRecord {
  return { stable_id: stableId, type, src_ref: src, dst_ref: dst, attributes };
}

/** Event ids come from the same ascending sequence, so a closed validity always ends after it starts. */
function validity(random: SeededRandom, ids: UlidSequence): JsonRecord {
  const start = ids.next();
  return { start_event_id: start, end_event_id: random.chance(0.3) ? ids.next() : null };
}

/** Two different locations when there are two (constant time: the list can be long). */
function twoLocations(random: SeededRandom, locations: readonly string[]): [string, string] {
  const src = random.int(locations.length);
  if (locations.length === 1) return [locations[0] as string, locations[0] as string];
  const other = random.int(locations.length - 1);
  const dst = other >= src ? other + 1 : other;
  return [locations[src] as string, locations[dst] as string];
}

/** A tag whose id, slug and name end in `suffix` (the package's namespace and the tag's number). */
export function buildTag(random: SeededRandom, suffix: string): JsonRecord {
  const category = random.pick(words.TAG_CATEGORIES);
  const word = random.pick(words.ONTOLOGY_WORDS);
  const tag: JsonRecord = {
    tag_id: `${category}.${word}-${suffix}`,
    category,
    slug: `${word}-${suffix}`,
    display_name: `${capitalize(word)} ${suffix}`,
    synonyms: [word, `${word}-${suffix}`],
    audience: random.pickDistinct(words.ONTOLOGY_AUDIENCES, random.between(1, 2)),
    gating: { ruleset_version: 'v1.4', requires_feature: random.chance(0.3) ? 'features.importer' : null },
  };
  if (random.chance(0.4)) tag.metadata = { description: sentence(random) };
  return tag;
}

/** An affordance applying to one to three known tags or entities; its id and slug end in `suffix`. */
export function buildAffordance(
  random: SeededRandom,
  suffix: string,
  tagIds: readonly string[],
  refs: EntityRefs,
): JsonRecord {
  const category = random.pick(words.AFFORDANCE_CATEGORIES);
  const verb = random.pick(words.ONTOLOGY_VERBS);
  const targets = new Set<string>();
  const wanted = random.between(1, 3);
  for (let i = 0; i < wanted; i += 1) {
    targets.add(
      random.chance(0.6)
        ? `tag:${random.pick(tagIds)}`
        : `entity:${random.pick(refs[random.pick(ENTITY_KINDS)])}`,
    );
  }
  const affordance: JsonRecord = {
    affordance_id: `affordance.${category}.${verb}-${suffix}`,
    category,
    slug: `${verb.replaceAll('_', '-')}-${suffix}`,
    applies_to: [...targets],
    gating: { audience: random.pick(words.ONTOLOGY_AUDIENCES), ruleset_version: 'v1.4' },
  };
  if (random.chance(0.5)) {
    affordance.metadata = {
      effect: sentence(random),
      improbability_drive: {
        intent_frame: random.pick(words.INTENT_FRAMES),
        confidence: random.between(0, 100),
      },
    };
  }
  return affordance;
}

export interface LoreDocument {
  title: string;
  text: string;
}

/**
 * A markdown file with front matter whose body splits into exactly `chunks` chunks: an optional preamble (with
 * a level-1 title, which is not a boundary) and `##`/`###` sections, each far below the 8000-character limit.
 */
export function buildLoreDocument(random: SeededRandom, chunkId: string, chunks: number): LoreDocument {
  const title = `The ${random.pick(words.PLACE_WORDS)} ${random.pick(words.PLACE_KINDS)}`;
  const frontMatter = [
    '---',
    `chunk_id: ${chunkId}`,
    `title: "${title}"`,
    `audience: ${random.pick(words.AUDIENCES)}`,
    'tags:',
    ...random.pickDistinct(words.LORE_TAGS, random.between(1, 3)).map((tag) => `  - ${tag}`),
  ];
  if (random.chance(0.4)) frontMatter.push(`embedding_hint: focus:${random.pick(words.HINT_WORDS)}`);
  frontMatter.push('---');

  const blocks: string[] = [];
  const hasPreamble = random.chance(0.7);
  if (hasPreamble) blocks.push(`# ${title}`, ...paragraphs(random, 1, 2));
  for (let section = hasPreamble ? 1 : 0; section < chunks; section += 1) {
    const level = random.chance(0.8) ? '##' : '###';
    blocks.push(
      `${level} ${random.pick(words.PLACE_WORDS)} ${random.pick(words.PLACE_KINDS)}`,
      ...paragraphs(random, 1, 4),
    );
  }
  return { title, text: `${frontMatter.join('\n')}\n${blocks.join('\n\n')}\n` };
}

function paragraphs(random: SeededRandom, min: number, max: number): string[] {
  const count = random.between(min, max);
  const result: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const sentences: string[] = [];
    const length = random.between(1, 5);
    for (let s = 0; s < length; s += 1) sentences.push(sentence(random));
    result.push(sentences.join(' '));
  }
  return result;
}

function sentence(random: SeededRandom): string {
  const length = random.between(6, 16);
  const parts: string[] = [];
  for (let i = 0; i < length; i += 1) parts.push(random.pick(words.LORE_WORDS));
  return `${capitalize(parts.join(' '))}.`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An ASCII file-name fragment: `Élodie Marsh` → `elodie-marsh`. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'x' : slug;
}

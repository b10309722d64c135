/**
 * The named ways to break a valid package, each with the rejection it must cause. A scenario edits a copy
 * (see corrupt-package.ts) in exactly one way, choosing the first suitable file in code-point order, so the
 * same package always breaks the same way.
 */
import { type Phase, type RejectionCode, UsageError } from '../errors.js';
import { isObject, type PackageCopy, parseObject } from './package-copy.js';
import { jsonText } from './package-writer.js';

export const SCENARIO_NAMES = [
  'collision',
  'missing-file',
  'invalid-yaml',
  'tamper',
  'dangling-edge',
  'conflicting-tag',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface ScenarioInfo {
  name: ScenarioName;
  description: string;
  expectedCode: RejectionCode;
  expectedPhase: Phase;
}

/** What a scenario did: the package-relative file it added, changed or removed, and how. */
export interface Corruption {
  file: string;
  detail: string;
}

export interface Scenario extends ScenarioInfo {
  apply(pkg: PackageCopy): Promise<Corruption>;
}

/** A tag the collision copy gains (or loses, should the original already carry it). */
const COLLISION_TAG = 'harness-collision';
const CONFLICT_NAME = 'Harness conflicting definition';
/** Prepended to the front matter: an unterminated flow sequence, which no YAML parser accepts. */
const BROKEN_YAML_LINE = 'harness_broken: [unclosed';
const DST_REF = /("dst_ref"\s*:\s*")([^"\\]*)"/;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'collision',
    description:
      'adds a copy of the first entity file with one more tag (same stable_id, other content), listed in content_index with its correct hash',
    expectedCode: 'entity.collision',
    expectedPhase: 'entity',
    async apply(pkg) {
      for (const file of await pkg.files('entities', '.json')) {
        const entity = parseObject(pkg.readText(file));
        if (!entity || typeof entity.stable_id !== 'string' || !Array.isArray(entity.tags)) continue;
        const tags = entity.tags.includes(COLLISION_TAG)
          ? entity.tags.filter((tag) => tag !== COLLISION_TAG)
          : [...entity.tags, COLLISION_TAG];
        const target = withSuffix(file, '.collision.json');
        await pkg.addListed(target, jsonText({ ...entity, tags }));
        return {
          file: target,
          detail: `added ${target}: entity ${entity.stable_id} of ${file} with other tags`,
        };
      }
      throw notApplicable('collision', 'an entity file (entities/**/*.json) with a stable_id and tags');
    },
  },
  {
    name: 'missing-file',
    description: 'removes the first file listed in content_index',
    expectedCode: 'package.missing_file',
    expectedPhase: 'manifest',
    async apply(pkg) {
      for (const file of pkg.listedPaths()) {
        if (!(await pkg.hasListedFile(file))) continue;
        await pkg.remove(file);
        return { file, detail: `removed ${file}, which content_index still lists` };
      }
      throw notApplicable('missing-file', 'a file listed in content_index');
    },
  },
  {
    name: 'invalid-yaml',
    description:
      'makes the front matter of the first lore file unparseable (an unterminated [ list), content_index updated',
    expectedCode: 'lore.parse',
    expectedPhase: 'lore',
    async apply(pkg) {
      for (const file of await pkg.files('lore', '.md')) {
        const text = pkg.readText(file);
        if (!text.startsWith('---\n') || !text.includes('\n---\n', 3)) continue;
        await pkg.writeListed(file, `---\n${BROKEN_YAML_LINE}\n${text.slice(4)}`);
        return { file, detail: `${file}: front matter line '${BROKEN_YAML_LINE}' added` };
      }
      throw notApplicable('invalid-yaml', 'a lore file (lore/**/*.md) with front matter');
    },
  },
  {
    name: 'tamper',
    description:
      'appends a newline to the first entity file listed in content_index (else the first file listed), content_index not updated',
    expectedCode: 'package.hash_mismatch',
    expectedPhase: 'manifest',
    async apply(pkg) {
      // An entity file first, so that the error names the entity's stable id beside both hashes.
      const listed = pkg.listedPaths();
      const isEntityFile = (file: string) => file.startsWith('entities/') && file.endsWith('.json');
      for (const file of [...listed.filter(isEntityFile), ...listed.filter((file) => !isEntityFile(file))]) {
        if (!(await pkg.hasListedFile(file))) continue;
        await pkg.writeBytesUnlisted(file, Buffer.concat([pkg.readBytes(file), Buffer.from('\n')]));
        return { file, detail: `${file}: one byte appended, content_index keeps the old hash` };
      }
      throw notApplicable('tamper', 'a file listed in content_index');
    },
  },
  {
    name: 'dangling-edge',
    description:
      'points the dst_ref of the first edge at a ULID that no entity of the package has, content_index updated',
    expectedCode: 'edge.dangling_reference',
    expectedPhase: 'edge',
    async apply(pkg) {
      const dangling = unusedId(await entityIds(pkg));
      for (const file of await pkg.files('edges', '.json')) {
        const text = pkg.readText(file);
        const match = DST_REF.exec(text);
        if (!match) continue;
        const [, prefix = '', original = ''] = match;
        const start = match.index + prefix.length;
        await pkg.writeListed(file, text.slice(0, start) + dangling + text.slice(start + original.length));
        return { file, detail: `${file}: dst_ref ${original} of the first edge replaced by ${dangling}` };
      }
      throw notApplicable('dangling-edge', 'an edge file (edges/**/*.json) with a dst_ref');
    },
  },
  {
    name: 'conflicting-tag',
    description:
      'adds an ontology file redefining the first tag (same tag_id and category, other display_name), listed in content_index',
    expectedCode: 'ontology.conflict',
    expectedPhase: 'ontology',
    async apply(pkg) {
      for (const file of await pkg.files(await pkg.ontologyFolder(), '.json')) {
        const tags = parseObject(pkg.readText(file))?.tags;
        const tag = Array.isArray(tags)
          ? tags.find(
              (t): t is Record<string, unknown> =>
                isObject(t) && typeof t.tag_id === 'string' && typeof t.category === 'string',
            )
          : undefined;
        if (!tag) continue;
        const displayName = tag.display_name === CONFLICT_NAME ? `${CONFLICT_NAME} again` : CONFLICT_NAME;
        const target = withSuffix(file, '.conflict.json');
        await pkg.addListed(target, jsonText({ tags: [{ ...tag, display_name: displayName }] }));
        return {
          file: target,
          detail: `added ${target}: tag ${String(tag.tag_id)} (${String(tag.category)}) of ${file} with display_name '${displayName}'`,
        };
      }
      throw notApplicable('conflicting-tag', 'an ontology file with a tag');
    },
  },
];

export function listScenarios(): ScenarioInfo[] {
  return SCENARIOS.map(({ name, description, expectedCode, expectedPhase }) => ({
    name,
    description,
    expectedCode,
    expectedPhase,
  }));
}

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) {
    throw new UsageError(`unknown scenario '${name}'; known scenarios: ${SCENARIO_NAMES.join(', ')}`, {
      scenario: name,
    });
  }
  return scenario;
}

function notApplicable(name: ScenarioName, needed: string): UsageError {
  return new UsageError(`scenario ${name} needs ${needed}; the package has none`, { scenario: name });
}

/** `entities/a.json` → `entities/a.collision.json`. */
function withSuffix(file: string, suffix: string): string {
  return `${file.slice(0, -'.json'.length)}${suffix}`;
}

async function entityIds(pkg: PackageCopy): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const file of await pkg.files('entities', '.json')) {
    const id = parseObject(pkg.readText(file))?.stable_id;
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}

/** The highest ULIDs first (`7ZZ…Z`, `7ZZ…Y`, …): the first one no entity uses. */
function unusedId(used: ReadonlySet<string>): string {
  for (let i = CROCKFORD.length - 1; i >= 0; i -= 1) {
    const id = `7${'Z'.repeat(24)}${CROCKFORD.charAt(i)}`;
    if (!used.has(id)) return id;
  }
  throw new Error('every candidate id is an entity id');
}

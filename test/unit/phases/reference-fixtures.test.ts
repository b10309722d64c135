/**
 * The reference's own fixtures (read from ../shared/reference at test time, never copied): the hashes its
 * importer printed for them (NOTES §1.8, §6.2, §9).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPackage } from '../../../src/package/read-package.js';
import { edgePhase } from '../../../src/phases/edges.js';
import { entityPhase } from '../../../src/phases/entities.js';
import { ontologyPhase } from '../../../src/phases/ontology.js';
import {
  expectRejection,
  expectRejectionSync,
  HAS_IMPORT_FIXTURES,
  IMPORT_FIXTURES_DIR,
  LENIENT,
  removeTempDirs,
  SKIP_FIXTURES,
  writePackage,
} from '../package/support.js';

afterAll(removeTempDirs);

const fixture = (name: string): string => join(IMPORT_FIXTURES_DIR, name);

describe.skipIf(!HAS_IMPORT_FIXTURES)(
  `reference fixtures (${HAS_IMPORT_FIXTURES ? 'found' : SKIP_FIXTURES})`,
  () => {
    it('happy-path: manifest, entity, edge, tag and affordance hashes', async () => {
      const snapshot = await readPackage(fixture('manifest/happy-path'), LENIENT);
      expect(snapshot.manifest.manifestHash).toBe(
        '1ebddf6629745cb0c5ebc2db2a77f9c8769e80eeed5255f4cd6e98977768e366',
      );
      const entities = entityPhase(snapshot, LENIENT);
      expect(entities.map((e) => [e.objectType, e.stableId, e.contentHash])).toEqual([
        [
          'location',
          '01JA6Z7F8LOC00000000000000',
          '9e9d041f301e7120320c9605028fad70f8481bd978f6b4b6838f73df71eebd36',
        ],
        [
          'npc',
          '01JA6Z7F8NPC00000000000000',
          '7d478136a27ad013caa5a225cbc4629998bb38b29c133b5c11a87803ceb7a1e6',
        ],
      ]);
      const edges = edgePhase(snapshot, entities, LENIENT);
      expect(edges.map((e) => [e.stableId, e.contentHash, e.sourcePath])).toEqual([
        [
          '01JA6Z7F8EDGE0000000000000',
          'b9594277522f86a9b88c15e9ae4eb122490973d82e45714f474c8bc2825c5173',
          'edges/relationship.json#0',
        ],
      ]);
      const ontology = ontologyPhase(snapshot, LENIENT);
      const fileHash = '534c01affa0e98466e2817389189dd3d1cd0ee65982c89d093d47f35b7190977';
      expect(ontology.records.map((r) => [r.kind, r.stableId, r.contentHash])).toEqual([
        ['tag', 'lore.intro', fileHash],
        ['affordance', 'affordance.interaction.greet', fileHash],
      ]);
      expect(snapshot.lore.map((f) => f.path)).toEqual(['lore/intro.md']);
    });

    it('tampered: package.hash_mismatch naming entities/npc.json, its entity and both hashes', async () => {
      const error = await expectRejection(
        readPackage(fixture('manifest/tampered'), LENIENT),
        'manifest',
        'package.hash_mismatch',
      );
      const expected = '7d478136a27ad013caa5a225cbc4629998bb38b29c133b5c11a87803ceb7a1e6';
      const actual = '5880ea2569507faba1384c11a4edb144c07c7aed0d342ba345ec52c96f3c0d8e';
      expect(error.facts).toMatchObject({
        file: 'entities/npc.json',
        stable_id: '01JA6Z7F8NPC00000000000000',
        expected_hash: expected,
        actual_hash: actual,
      });
      expect(error.message).toBe(
        `entities/npc.json: content hash mismatch (content_index ${expected}, file ${actual}); it defines 01JA6Z7F8NPC00000000000000`,
      );
      expect(error.facts.manifest_hash).toMatch(/^6f1e7d5b[0-9a-f]{52}ba86$/);
    });

    it('edge_package: a 27-character package id, three entities and two edge record hashes', async () => {
      const snapshot = await readPackage(fixture('edge_package'), LENIENT);
      expect(snapshot.manifest.manifestHash).toMatch(/^c104fb48[0-9a-f]{52}7564$/);
      const entities = entityPhase(snapshot, LENIENT);
      expect(entities).toHaveLength(3);
      const edges = edgePhase(snapshot, entities, LENIENT);
      expect(edges.map((e) => [e.sourcePath, e.contentHash])).toEqual([
        ['edges/edges.json#0', 'ab9f679b22f8035a614e4901b83f98461125e3dbe76fa499fcf4c18d90739eb5'],
        ['edges/edges.json#1', '7190496c9b7a881f8c823ba8a80c324c67d331f98eb4a2ee37b3a1c957600d57'],
      ]);
    });

    async function ontologyPackage(name: string): Promise<string> {
      const dir = await writePackage({});
      await mkdir(join(dir, 'ontology'));
      await copyFile(fixture(`ontology/${name}`), join(dir, 'ontology', name));
      return dir;
    }

    it('ontology taxonomy_valid: 3 tags and 2 affordances sharing the file hash', async () => {
      const { records } = ontologyPhase(
        await readPackage(await ontologyPackage('taxonomy_valid.json'), LENIENT),
        LENIENT,
      );
      expect(records.map((r) => r.kind)).toEqual(['tag', 'tag', 'tag', 'affordance', 'affordance']);
      expect(records.map((r) => r.stableId).slice(0, 3)).toEqual([
        'action.attack',
        'action.cast_spell',
        'target.door',
      ]);
      for (const record of records) expect(record.contentHash).toMatch(/^c45d7d7d[0-9a-f]{52}a68c$/);
    });

    it('ontology taxonomy_duplicate_identical: one tag', async () => {
      const snapshot = await readPackage(await ontologyPackage('taxonomy_duplicate_identical.json'), LENIENT);
      expect(ontologyPhase(snapshot, LENIENT).records.map((r) => r.stableId)).toEqual(['action.attack']);
    });

    it('ontology taxonomy_conflict: ontology.conflict with the reference’s two hashes', async () => {
      const snapshot = await readPackage(await ontologyPackage('taxonomy_conflict.json'), LENIENT);
      const error = expectRejectionSync(
        () => ontologyPhase(snapshot, LENIENT),
        'ontology',
        'ontology.conflict',
      );
      expect(error.facts.existing_hash).toMatch(/^97182581[0-9a-f]{52}23ad$/);
      expect(error.facts.actual_hash).toMatch(/^b7fbf44c[0-9a-f]{52}9445$/);
    });
  },
);

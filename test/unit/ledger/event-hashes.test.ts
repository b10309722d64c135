/**
 * Verification recomputes each event's payload hash, idempotency key and envelope hash, on this thread or,
 * for a long chain, batch by batch on a worker thread: both must give the same hashes for the same events,
 * tampered ones included, and the pages must come back in the events' order.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../src/ledger/chain-verifier.js';
import { envelopeHash, idempotencyKeyV2, payloadHash, ZERO_HASH } from '../../../src/ledger/envelope.js';
import {
  type HashField,
  hashEvents,
  hashPackedEvents,
  packEvents,
  type RecomputedHashes,
  sameBytes,
} from '../../../src/ledger/event-hashes.js';
import { hashedPages } from '../../../src/ledger/hashed-pages.js';
import { compiledWorkerScript } from '../../../src/worker-script.js';

const FIELDS: HashField[] = ['payloadHash', 'idempotencyKey', 'envelopeHash'];
const WALL = 1_767_225_600_123_456n;

/** A well-formed chain of `count` events; every seventh payload carries a ruleset_version. */
function chain(count: number, campaignId = '7'): StoredEvent[] {
  const events: StoredEvent[] = [];
  let prev = ZERO_HASH;
  for (let ordinal = 0; ordinal < count; ordinal += 1) {
    const payloadCanonical = Buffer.from(
      ordinal % 7 === 0
        ? `{"n":${ordinal},"ruleset_version":"1.${ordinal}"}`
        : `{"n":${ordinal},"text":"${'é'.repeat(ordinal % 50)}"}`,
    );
    const eventType = ordinal % 2 === 0 ? 'seed.entity_created' : 'seed.edge_created';
    const hashes = {
      payloadHash: payloadHash(payloadCanonical),
      idempotencyKey: idempotencyKeyV2({
        campaignId,
        eventType,
        rulesetVersion: ordinal % 7 === 0 ? `1.${ordinal}` : '',
        canonicalArgs: payloadCanonical,
      }),
    };
    const event: StoredEvent = {
      campaignId,
      replayOrdinal: BigInt(ordinal),
      eventType,
      schemaVersion: 1,
      worldTime: BigInt(ordinal),
      wallTimeMicros: WALL,
      prevEventHash: prev,
      ...hashes,
      envelopeHash: ZERO_HASH,
      payloadCanonical,
    };
    event.envelopeHash = envelopeHash(event);
    prev = event.envelopeHash;
    events.push(event);
  }
  return events;
}

/** Tampered in ways that change the framing: other lengths, bytes that are not JSON, a non-ASCII type. */
function tampered(): StoredEvent[] {
  const events = chain(12);
  const at = (i: number) => events[i] as StoredEvent;
  at(1).payloadCanonical = Buffer.from('{"n":1,"text":"evil"}');
  at(2).prevEventHash = Buffer.from('abc');
  at(3).idempotencyKey = Buffer.alloc(20, 1);
  at(4).payloadHash = Buffer.alloc(0);
  at(5).payloadCanonical = Buffer.from([0xff, 0xfe, 0x7b]);
  at(6).eventType = 'seed.ëntity_created';
  at(8).payloadCanonical = Buffer.alloc(2 * 1024 * 1024, 0x20);
  at(9).wallTimeMicros = 0n;
  at(10).campaignId = 'campaign ✓';
  at(11).schemaVersion = -3;
  return events;
}

function allHex(hashes: RecomputedHashes, count: number): string[][] {
  return Array.from({ length: count }, (_, index) => FIELDS.map((field) => hashes.hex(index, field)));
}

describe('sameBytes', () => {
  const within = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  it('compares bytes with the bytes at an offset, nothing past the end', () => {
    expect(sameBytes(within.subarray(4, 8), within, 4)).toBe(true);
    expect(sameBytes(within, within)).toBe(true);
    expect(sameBytes(Buffer.alloc(0), within, 16)).toBe(true);
    expect(sameBytes(within.subarray(4, 8), within, 5)).toBe(false);
    expect(sameBytes(Buffer.from('ff', 'hex'), within, 15)).toBe(true);
    expect(sameBytes(Buffer.from('ff00', 'hex'), within, 15)).toBe(false);
    expect(sameBytes(Buffer.from('33445566778899aabbccddeeff00', 'hex'), within, 3)).toBe(false);
    const flipped = Buffer.from(within);
    flipped[9] = (flipped[9] as number) ^ 1;
    expect(sameBytes(flipped, within)).toBe(false);
  });
});

describe('recomputed event hashes', () => {
  it('match the stored hashes of a well-formed chain, and none of the tampered ones', () => {
    const good = chain(20);
    const hashes = hashEvents(good);
    good.forEach((event, index) => {
      for (const field of FIELDS) expect(hashes.matches(index, field, event[field])).toBe(true);
    });
    const bad = tampered();
    const rehashed = hashEvents(bad);
    const mismatches = bad.map((event, index) =>
      FIELDS.filter((field) => !rehashed.matches(index, field, event[field])),
    );
    // The envelope frames the *stored* payload hash and key: a changed payload alone leaves it intact.
    expect(mismatches).toEqual([
      [],
      ['payloadHash', 'idempotencyKey'],
      ['envelopeHash'],
      ['idempotencyKey', 'envelopeHash'],
      ['payloadHash', 'envelopeHash'],
      ['payloadHash', 'idempotencyKey'],
      ['idempotencyKey', 'envelopeHash'],
      [],
      ['payloadHash', 'idempotencyKey'],
      ['envelopeHash'],
      ['idempotencyKey', 'envelopeHash'],
      ['envelopeHash'],
    ]);
    // What a report prints is the recomputed hash itself.
    expect(rehashed.hex(1, 'payloadHash')).toBe(
      payloadHash((bad[1] as StoredEvent).payloadCanonical).toString('hex'),
    );
    expect(rehashed.hex(2, 'envelopeHash')).toBe(envelopeHash(bad[2] as StoredEvent).toString('hex'));
  });

  it('are the same packed and hashed elsewhere as hashed here, byte for byte', () => {
    for (const events of [tampered(), chain(300), []]) {
      const here = hashEvents(events);
      const packed = Buffer.from(hashPackedEvents(packEvents(events)));
      expect(packed.toString('hex')).toBe(
        Buffer.concat(
          allHex(here, events.length).flatMap((row) => row.map((h) => Buffer.from(h, 'hex'))),
        ).toString('hex'),
      );
    }
  });

  it('are the same from the compiled worker thread (needs `npm run build`)', async () => {
    const script = compiledWorkerScript('ledger/hash-worker.js');
    expect(script, 'dist/ledger/hash-worker.js: run `npm run build` first').not.toBeNull();
    const worker = new Worker(script as string);
    try {
      const events = tampered();
      const answer = new Promise<ArrayBuffer>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      const packed = packEvents(events);
      worker.postMessage(packed, [packed]);
      const fromWorker = Buffer.from(await answer);
      expect(fromWorker.toString('hex')).toBe(
        Buffer.from(hashPackedEvents(packEvents(events))).toString('hex'),
      );
    } finally {
      await worker.terminate();
    }
  });

  it('come in the order of the pages on either thread, whatever the page sizes', async () => {
    const events = chain(3001);
    const pages = async function* () {
      for (let start = 0, size = 1; start < events.length; start += size, size = (size * 7) % 613) {
        yield events.slice(start, start + size);
      }
    };
    const expected = allHex(hashEvents(events), events.length);
    for (const thread of ['worker', 'this', 'auto'] as const) {
      const seen: StoredEvent[] = [];
      const hashes: string[][] = [];
      for await (const page of hashedPages(pages(), thread)) {
        seen.push(...page.events);
        hashes.push(...allHex(page.hashes, page.events.length));
      }
      expect(seen).toEqual(events);
      expect(hashes).toEqual(expected);
    }
  });
});

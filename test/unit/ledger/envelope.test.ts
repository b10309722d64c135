import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  envelopeHash,
  formatWallTime,
  idempotencyKeyV2,
  parseWallTime,
  payloadHash,
  topLevelRulesetVersion,
  ZERO_HASH,
} from '../../../src/ledger/envelope.js';

// Vectors from NOTES.md §4.3–§4.5, printed by the reference implementation.
const MANIFEST_HASH = '1ebddf6629745cb0c5ebc2db2a77f9c8769e80eeed5255f4cd6e98977768e366';
const STATE_DIGEST = '4b621073dd1e5715b8a7d7518e8b0fa41929e012562a4b8a440b7303695d5e59';
const manifestPayload = Buffer.from(
  `{"manifest_hash":"${MANIFEST_HASH}","package_id":"01JAR9WYH41R8TFM6Z0X5E7QKJ","ruleset_version":"1.2.3","schema_version":1}`,
);
const completionPayload = Buffer.from(
  `{"affordance_count":1,"chunk_count":1,"edge_count":1,"entity_count":2,"import_duration_ms":42,"manifest_hash":"${MANIFEST_HASH}","package_id":"01JAR9WYH41R8TFM6Z0X5E7QKJ","state_digest":"${STATE_DIGEST}","tag_count":1}`,
);
const hex = (b: Buffer) => b.toString('hex');

describe('idempotency key v2', () => {
  it('matches the happy-path manifest.validated vector', () => {
    expect(hex(payloadHash(manifestPayload))).toBe(
      '3eff3ecba268e90d9a3f36ae8140a1569505d5725a355c9659c719f68b791bd2',
    );
    const key = idempotencyKeyV2({
      campaignId: '1',
      eventType: 'seed.manifest.validated',
      rulesetVersion: topLevelRulesetVersion(manifestPayload),
      canonicalArgs: manifestPayload,
    });
    expect(hex(key)).toBe('a2c5c2de06ba9ba1f03c414228783618');
  });

  it('frames None args as <null> and {} as its canonical bytes', () => {
    const base = { campaignId: '1', eventType: 'x', rulesetVersion: '', toolName: '' };
    expect(hex(idempotencyKeyV2({ ...base, canonicalArgs: null }))).toBe('2a6c9a600376c981817bd942f8009abc');
    expect(hex(idempotencyKeyV2({ ...base, canonicalArgs: Buffer.from('{}') }))).toBe(
      '9a7a8ca65cb21020cbdf2927d4ec0e1b',
    );
  });
});

describe('envelope hash', () => {
  it('matches the genesis-style vector', () => {
    const hash = envelopeHash({
      campaignId: '1',
      replayOrdinal: 0n,
      eventType: 'campaign.genesis',
      schemaVersion: 1,
      worldTime: 0n,
      wallTimeMicros: parseWallTime('2025-01-01T00:00:00+00:00'),
      prevEventHash: ZERO_HASH,
      payloadHash: createHash('sha256').update('{}').digest(),
      idempotencyKey: Buffer.alloc(16),
    });
    expect(hex(hash)).toBe('c68f4bded990afe15fcf125d51093d69c67bd8087f3779f98f260ecf4de0a7cc');
  });

  it('chains the happy-path manifest and completion events', () => {
    const manifestKey = idempotencyKeyV2({
      campaignId: '1',
      eventType: 'seed.manifest.validated',
      rulesetVersion: '1.2.3',
      canonicalArgs: manifestPayload,
    });
    const first = {
      campaignId: '1',
      replayOrdinal: 0n,
      eventType: 'seed.manifest.validated',
      schemaVersion: 1,
      worldTime: 0n,
      wallTimeMicros: parseWallTime('2025-01-01T12:00:00+00:00'),
      prevEventHash: ZERO_HASH,
      payloadHash: payloadHash(manifestPayload),
      idempotencyKey: manifestKey,
    };
    const firstHash = envelopeHash(first);
    expect(hex(firstHash)).toBe('8ddcfb74b31d9db6c8844afa8b4b9b44d3c64b697a6189e50f456f8ae6cb563b');
    expect(
      hex(envelopeHash({ ...first, wallTimeMicros: parseWallTime('2025-01-01T12:00:00.123456+00:00') })),
    ).toBe('f9ddd483f1140e5494c684c7beac46a14d1447e7c89c94a6ffff73321d920519');

    const completionKey = idempotencyKeyV2({
      campaignId: '1',
      eventType: 'seed.import.complete',
      rulesetVersion: topLevelRulesetVersion(completionPayload),
      canonicalArgs: completionPayload,
    });
    expect(hex(completionKey)).toBe('dc098d41cfd29ca98f1c7b7b0cacca63');
    const tip = envelopeHash({
      campaignId: '1',
      replayOrdinal: 1n,
      eventType: 'seed.import.complete',
      schemaVersion: 1,
      worldTime: 1n,
      wallTimeMicros: parseWallTime('2025-01-01T12:00:01+00:00'),
      prevEventHash: firstHash,
      payloadHash: payloadHash(completionPayload),
      idempotencyKey: completionKey,
    });
    expect(hex(tip)).toBe('5738c75d8a9c08f43478a8e373496a1649a20522a670d676ee90fbd08bbb9343');
  });
});

describe('wall time', () => {
  it('formats like Python isoformat, with microseconds only when non-zero', () => {
    expect(formatWallTime(parseWallTime('2025-01-01T12:00:00Z'))).toBe('2025-01-01T12:00:00+00:00');
    expect(formatWallTime(parseWallTime('2025-01-01T12:00:00.5Z'))).toBe('2025-01-01T12:00:00.500000+00:00');
    expect(formatWallTime(1_735_732_800_000_001n)).toBe('2025-01-01T12:00:00.000001+00:00');
  });
});

describe('top-level ruleset_version', () => {
  it('ignores a nested ruleset_version', () => {
    expect(topLevelRulesetVersion(Buffer.from('{"gating":{"ruleset_version":"v1"},"tag_id":"a.b"}'))).toBe(
      '',
    );
    expect(topLevelRulesetVersion(Buffer.from('{"ruleset_version":"2.0.0"}'))).toBe('2.0.0');
  });
});

describe('framing', () => {
  /** The frames, built the plain way: `label ‖ uint32_be(len(value)) ‖ value`. */
  const framed = (frames: [string, Buffer][]) =>
    createHash('sha256')
      .update(
        Buffer.concat(
          frames.flatMap(([label, value]) => {
            const length = Buffer.alloc(4);
            length.writeUInt32BE(value.length);
            return [Buffer.from(label, 'ascii'), length, value];
          }),
        ),
      )
      .digest();

  it('frames UTF-8 strings by their byte length, and payloads larger than the framing buffer', () => {
    const payload = Buffer.from(`{"text":"${'fjörd café 🌊 '.repeat(2000)}"}`);
    const input = {
      campaignId: 'sält',
      eventType: 'seed.ëvent',
      rulesetVersion: '1.0',
      canonicalArgs: payload,
    };
    const expected = framed([
      ['plan_id', Buffer.alloc(0)],
      ['campaign_id', Buffer.from('sält')],
      ['event_type', Buffer.from('seed.ëvent')],
      ['tool_name', Buffer.from('importer')],
      ['ruleset_version', Buffer.from('1.0')],
      ['args_json', payload],
    ]).subarray(0, 16);
    expect(idempotencyKeyV2(input).equals(expected)).toBe(true);
    // Twice: the framing buffer is reused (and was grown by the first call).
    expect(idempotencyKeyV2(input).equals(expected)).toBe(true);
    expect(payloadHash(payload).equals(createHash('sha256').update(payload).digest())).toBe(true);
  });

  it('formats a repeated wall time the same way (it is cached)', () => {
    const micros = parseWallTime('2026-11-26T04:59:15.356000+00:00');
    expect(formatWallTime(micros)).toBe('2026-11-26T04:59:15.356000+00:00');
    expect(formatWallTime(micros)).toBe('2026-11-26T04:59:15.356000+00:00');
    expect(formatWallTime(micros + 1n)).toBe('2026-11-26T04:59:15.356001+00:00');
    expect(formatWallTime(micros - 356_000n)).toBe('2026-11-26T04:59:15+00:00');
  });
});

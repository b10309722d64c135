/** Tip documents without a database: the trail, the signed bytes, signatures and key ids, parsing. */
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../src/canonical/index.js';
import {
  CHECKPOINT_FORMAT,
  type CheckpointDocument,
  checkpointFileText,
  checkSignature,
  generateSigningKeyPair,
  keyIdOf,
  parseCheckpoint,
  privateKeyFromPem,
  publicKeyFromPem,
  signCheckpoint,
  signedBytes,
  UsageError,
} from '../../src/index.js';
import { trailOrdinals } from '../../src/ledger/checkpoint.js';
import { jsonEquals } from '../../src/ledger/json-equals.js';

const HASH = (n: number) => n.toString(16).padStart(64, '0');

function document(): CheckpointDocument {
  return {
    format: CHECKPOINT_FORMAT,
    campaign: 'saltmarrow',
    campaign_id: '7',
    ordinal: 41,
    tip_hash: HASH(41),
    events: 42,
    state_digest: HASH(999),
    created_at: '2026-02-02T00:00:00.000Z',
    trail: [
      [0, HASH(0)],
      [40, HASH(40)],
      [41, HASH(41)],
    ],
  };
}

describe('the checkpoint trail', () => {
  it('keeps every one of the last <dense> ordinals, then exponentially sparser ones, and 0', () => {
    expect(trailOrdinals(100n, 4).map(Number)).toEqual([0, 33, 65, 81, 89, 93, 95, 96, 97, 98, 99, 100]);
    expect(trailOrdinals(5n).map(Number)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(trailOrdinals(0n, 0).map(Number)).toEqual([0]);
  });
});

describe('signatures', () => {
  const signer = generateSigningKeyPair();
  const privateKey = privateKeyFromPem(signer.privateKeyPem, 'signer.key');
  const publicKey = publicKeyFromPem(signer.publicKeyPem, 'signer.pub');

  it('derives the key id from the SHA-256 of the public key DER', () => {
    const der = createPublicKey(signer.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(signer.keyId).toBe(createHash('sha256').update(der).digest('hex').slice(0, 16));
    expect(keyIdOf(privateKey)).toBe(signer.keyId);
  });

  it('signs the canonical JSON of the document without its signature, key id included', () => {
    const signed = signCheckpoint(document(), privateKey);
    expect(signed.key_id).toBe(signer.keyId);
    const bytes = signedBytes(signed).toString('utf8');
    expect(bytes.startsWith('{"campaign":"saltmarrow","campaign_id":"7","created_at":')).toBe(true);
    expect(bytes).toContain(`"key_id":"${signer.keyId}"`);
    expect(bytes).not.toContain('signature');
    expect(checkSignature(signed, publicKey)).toEqual({ ok: true, keyId: signer.keyId });
    // the file form (indented JSON) verifies the same after parsing
    expect(checkSignature(parseCheckpoint(checkpointFileText(signed), 'cp.json'), publicKey).ok).toBe(true);
  });

  it('refuses another key, an altered document, a forged key id and an unsigned document', () => {
    const signed = signCheckpoint(document(), privateKey);
    const stranger = generateSigningKeyPair();
    const strangerKey = publicKeyFromPem(stranger.publicKeyPem, 'stranger.pub');
    expect(checkSignature(signed, strangerKey)).toEqual({
      ok: false,
      reason: `the checkpoint names signing key ${signer.keyId}, the public key given is ${stranger.keyId}: refused`,
    });
    for (const altered of [
      { ...signed, tip_hash: HASH(7) },
      { ...signed, ordinal: 40 },
      { ...signed, trail: signed.trail.slice(1) },
    ]) {
      const verdict = checkSignature(altered, publicKey);
      expect(verdict.ok).toBe(false);
      expect(verdict.ok ? '' : verdict.reason).toContain('altered after signing');
    }
    const forged = signCheckpoint(document(), privateKeyFromPem(stranger.privateKeyPem, 'stranger.key'));
    expect(checkSignature({ ...forged, key_id: signer.keyId }, publicKey).ok).toBe(false);
    expect(checkSignature(document(), publicKey)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not signed'),
    });
  });

  it('refuses a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(() => publicKeyFromPem(rsa, 'rsa.pub')).toThrow(/rsa key; checkpoints are signed with Ed25519/);
  });

  it('refuses a private key where the public key belongs (Node would accept it)', () => {
    expect(() => publicKeyFromPem(signer.privateKeyPem, 'auditor.key')).toThrow(
      'auditor.key is a private key: give the public key (the .pub file keygen wrote beside it)',
    );
  });

  it('refuses a public key where the private key belongs, saying so (not in OpenSSL words)', () => {
    expect(() => privateKeyFromPem(signer.publicKeyPem, 'auditor.pub')).toThrow(
      'auditor.pub is a public key: sign with the private key (the .key file keygen wrote beside it)',
    );
  });
});

describe('parsing a checkpoint file', () => {
  it('refuses what is not a checkpoint, naming the file', () => {
    const good = checkpointFileText(document());
    expect(parseCheckpoint(good, 'cp.json')).toEqual(document());
    for (const [text, why] of [
      ['nope', 'not JSON'],
      ['[]', 'not a JSON object'],
      [good.replace(CHECKPOINT_FORMAT, 'other/1'), 'format is "other/1"'],
      [good.replace('"ordinal": 41', '"ordinal": -1'), 'ordinal must be a non-negative integer'],
      [
        good.replace(`"tip_hash": "${HASH(41)}"`, '"tip_hash": "xyz"'),
        'tip_hash must be 64 lowercase hex digits',
      ],
      [good.replace(`[\n      40,`, `[\n      "40",`), 'trail must be a list'],
      [good.replace(`"state_digest": "${HASH(999)}"`, '"state_digest": "00"'), 'state_digest must be 64'],
      [good.replace('"2026-02-02T00:00:00.000Z"', '"yesterday"'), 'created_at must be a UTC time'],
      [good.replace('"campaign_id": "7"', '"campaign_id": "seven"'), 'campaign_id must be a whole number'],
      [good.replace('"events": 42', '"events": 42,\n  "note": "x"'), 'it has fields no checkpoint has: note'],
      [good.replace(`[\n      40,`, `[\n      42,`), 'its trail names ordinal 42, past its own ordinal 41'],
      [
        good.replace(`[\n      40,`, `[\n      0,`),
        'its trail must list each ordinal once, in ascending order',
      ],
    ] as const) {
      let error: unknown;
      try {
        parseCheckpoint(text, 'cp.json');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).code).toBe('checkpoint.invalid');
      expect((error as UsageError).message).toContain(`cp.json is not a checkpoint document: ${why}`);
    }
  });
});

describe('jsonb-style equality of payloads', () => {
  const eq = (a: string, b: string) => jsonEquals(parseJson(a), parseJson(b));
  it('compares numbers by value and objects by keys, as jsonb does', () => {
    expect(eq('{"a":1,"b":[1.0,2]}', '{"b":[1,2.00],"a":1}')).toBe(true);
    expect(eq('{"n":1e2}', '{"n":100}')).toBe(true);
    expect(eq('{"n":-0.5}', '{"n":-5e-1}')).toBe(true);
    expect(eq('{"n":12345678901234567890123}', '{"n":12345678901234567890124}')).toBe(false);
    expect(eq('{"a":[1,2]}', '{"a":[2,1]}')).toBe(false);
    expect(eq('{"a":1}', '{"a":1,"b":null}')).toBe(false);
    expect(eq('{"a":"1"}', '{"a":1}')).toBe(false);
    expect(eq('{"a":"Lamp"}', '{"a":"Lump"}')).toBe(false);
  });
});

/**
 * Ed25519 keys for signing checkpoints (node:crypto only). A key id is the first 16 hex digits of the
 * SHA-256 of the public key's DER (SubjectPublicKeyInfo) encoding: it tells which key signed a document.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { UsageError } from '../errors.js';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
  keyId: string;
}

export function generateSigningKeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** Reads an Ed25519 private key from PEM text; `label` names its file in errors. */
export function privateKeyFromPem(pem: string, label: string): KeyObject {
  // The opposite mistake of publicKeyFromPem's: OpenSSL would only say 'DECODER routines::unsupported'.
  if (/-----BEGIN PUBLIC KEY-----/.test(pem)) {
    throw new UsageError(
      `${label} is a public key: sign with the private key (the .key file keygen wrote beside it)`,
      { file: label },
      'key.invalid',
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new UsageError(
      `${label} is not a PEM private key: ${error instanceof Error ? error.message : String(error)}`,
      { file: label },
      'key.invalid',
    );
  }
  return requireEd25519(key, label);
}

/** Reads an Ed25519 public key from PEM text (a private key PEM gives its public half). */
export function publicKeyFromPem(pem: string, label: string): KeyObject {
  // Node would derive the public key from a private one: an auditor should never need the signer's secret.
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new UsageError(
      `${label} is a private key: give the public key (the .pub file keygen wrote beside it)`,
      { file: label },
      'key.invalid',
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new UsageError(
      `${label} is not a PEM public key: ${error instanceof Error ? error.message : String(error)}`,
      { file: label },
      'key.invalid',
    );
  }
  return requireEd25519(key, label);
}

function requireEd25519(key: KeyObject, label: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new UsageError(
      `${label} holds a ${key.asymmetricKeyType ?? 'unknown'} key; checkpoints are signed with Ed25519`,
      { file: label },
      'key.invalid',
    );
  }
  return key;
}

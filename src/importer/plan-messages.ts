/**
 * What the planning thread sends the importing thread, and how a batch of planned objects travels: its strings
 * in one array and its canonical payloads in one transferred buffer, never copied.
 */
import type { ErrorFacts, Phase, RejectionCode } from '../errors.js';
import type { PlanPart } from '../plan/plan-import.js';
import type { PlannedEvent, PlannedObject } from '../plan/types.js';

/**
 * Parts in flight (sent, not yet taken) before the planning thread waits: bounds the memory they hold. 16 parts
 * of `PLAN_BATCH` objects keep the writer busy while the planner checks a whole phase before its first part.
 */
export const MAX_PARTS_IN_FLIGHT = 16;

export interface PackedObjects {
  /** Per object: kind, stableId, category, objectType, contentHash, sourcePath, fileHash, eventType. */
  fields: string[];
  /** Per object, its canonical payload's length in `bytes` (the payloads are back to back). */
  payloadLengths: Int32Array;
  bytes: ArrayBuffer;
}

export type PackedPart =
  | Exclude<PlanPart, { kind: 'objects' }>
  | { kind: 'objects'; phase: Extract<PlanPart, { kind: 'objects' }>['phase']; packed: PackedObjects };

export type PlanMessage =
  | { type: 'read' }
  | { type: 'part'; part: PackedPart }
  | { type: 'end' }
  | { type: 'rejected'; phase: Phase; code: RejectionCode; message: string; facts: ErrorFacts }
  | { type: 'failed'; message: string; stack?: string };

const FIELDS = 8;

export function packObjects(objects: readonly PlannedObject[]): PackedObjects {
  let size = 0;
  for (const object of objects) size += object.event.payloadCanonical.length;
  const bytes = Buffer.allocUnsafeSlow(size);
  const payloadLengths = new Int32Array(objects.length);
  const fields: string[] = [];
  let offset = 0;
  for (const [index, object] of objects.entries()) {
    const { event } = object;
    fields.push(
      object.kind,
      object.stableId,
      object.category,
      object.objectType,
      object.contentHash,
      object.sourcePath,
      object.fileHash,
      event.eventType,
    );
    payloadLengths[index] = event.payloadCanonical.length;
    bytes.set(event.payloadCanonical, offset);
    offset += event.payloadCanonical.length;
  }
  return { fields, payloadLengths, bytes: bytes.buffer as ArrayBuffer };
}

export function unpackObjects({ fields, payloadLengths, bytes }: PackedObjects): PlannedObject[] {
  const buffer = Buffer.from(bytes);
  const objects: PlannedObject[] = [];
  let offset = 0;
  for (let index = 0; index < payloadLengths.length; index += 1) {
    const at = index * FIELDS;
    const payloadEnd = offset + (payloadLengths[index] as number);
    objects.push({
      kind: fields[at] as PlannedObject['kind'],
      stableId: fields[at + 1] as string,
      category: fields[at + 2] as string,
      objectType: fields[at + 3] as string,
      contentHash: fields[at + 4] as string,
      sourcePath: fields[at + 5] as string,
      fileHash: fields[at + 6] as string,
      event: { eventType: fields[at + 7] as string, payloadCanonical: buffer.subarray(offset, payloadEnd) },
    });
    offset = payloadEnd;
  }
  return objects;
}

/** An event that came through a message: its buffers arrive as plain Uint8Arrays. */
export function reviveEvent(event: PlannedEvent): PlannedEvent {
  const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { ...event, payloadCanonical: asBuffer(event.payloadCanonical) };
}

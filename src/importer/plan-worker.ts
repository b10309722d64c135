/**
 * The planning thread of a big import: reads the package (with the importing thread, which sends its share of
 * the files), plans it part by part and sends each part to the importing thread as soon as it is made, waiting
 * while `MAX_PARTS_IN_FLIGHT` parts are not taken yet.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PackageRejectedError } from '../errors.js';
import { FileReader } from '../package/file-reader.js';
import { type ListedPackage, openListedPackage, readOpenedPackage } from '../package/read-package.js';
import {
  type PackedReads,
  type ReadShare,
  readClaimed,
  unpack,
  withPaths,
} from '../package/shared-reading.js';
import type { PackageSnapshot, PlanOptions } from '../phases/types.js';
import { planParts } from '../plan/plan-import.js';
import { MAX_PARTS_IN_FLIGHT, type PlanMessage, packObjects } from './plan-messages.js';

interface PlanWorkerData {
  /** The package as the importing thread listed it. */
  listed: ListedPackage;
  options: PlanOptions;
  /** One Int32: parts sent and not yet taken. */
  inFlight: SharedArrayBuffer;
  /** The files this thread and the importing thread read together; the importing thread's reads come as a message. */
  share: ReadShare;
}

const { listed, options, inFlight, share } = workerData as PlanWorkerData;
const parts = new Int32Array(inFlight);
const port = parentPort;
if (!port) throw new Error('plan-worker runs as a worker thread only');

function send(message: PlanMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

function theImportingThreadsReads(from: NonNullable<typeof parentPort>): Promise<PackedReads[]> {
  return new Promise((resolve) => from.once('message', resolve));
}

function waitForRoom(): void {
  for (let taken = Atomics.load(parts, 0); taken >= MAX_PARTS_IN_FLIGHT; taken = Atomics.load(parts, 0)) {
    Atomics.wait(parts, 0, taken, 100);
  }
  Atomics.add(parts, 0, 1);
}

/**
 * Reads the package with the importing thread. The manifest first: the importing thread reads files meanwhile, and
 * this thread helps with what is left. Its reads come as one message, adopted by this thread's reader; the reader
 * goes with this function, so that each folder's bytes go once its phase has parsed them.
 */
async function readTogether(from: NonNullable<typeof parentPort>): Promise<PackageSnapshot> {
  const opened = openListedPackage(listed);
  const reader = new FileReader();
  reader.adopt(withPaths(share, readClaimed(share)));
  for (const folder of await theImportingThreadsReads(from)) reader.adopt(unpack(share, folder));
  // Planning never returns to the event loop: had it gone on from here, it would run inside the native callback
  // that delivered the message, which holds the message (the bytes of every file that thread read) until it
  // returns, i.e. until the plan is made (~40 MB of the 200k-object benchmark package).
  await new Promise((resolve) => setImmediate(resolve));
  return readOpenedPackage(opened, reader);
}

try {
  const snapshot = await readTogether(port);
  send({ type: 'read' });
  for (const part of planParts(snapshot, options)) {
    waitForRoom();
    if (part.kind === 'objects') {
      const packed = packObjects(part.objects);
      send({ type: 'part', part: { kind: 'objects', phase: part.phase, packed } }, [
        packed.bytes,
        packed.payloadLengths.buffer as ArrayBuffer,
      ]);
    } else {
      send({ type: 'part', part });
    }
  }
  send({ type: 'end' });
} catch (error) {
  if (error instanceof PackageRejectedError) {
    send({
      type: 'rejected',
      phase: error.phase,
      code: error.code,
      message: error.message,
      facts: error.facts,
    });
  } else {
    const failure = error instanceof Error ? error : new Error(String(error));
    send({ type: 'failed', message: failure.message, stack: failure.stack });
  }
}

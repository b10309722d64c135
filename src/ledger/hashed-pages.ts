/**
 * The events of a verification with their recomputed hashes. When only the chain is checked, hashing is
 * about half of what this thread does per event, and each event's hashes depend on that event alone, so a
 * long chain is hashed on a worker thread, batches ahead of this thread, which goes on reading, linking and
 * comparing (and hashes a batch itself whenever the worker is behind). A short chain is hashed here (a thread
 * would cost more than it saves). Either way the pages come in the events' order with the same hashes.
 */
import { Worker } from 'node:worker_threads';
import { compiledWorkerScript } from '../worker-script.js';
import type { StoredEvent } from './chain-verifier.js';
import { hashEvents, packEvents, RecomputedHashes } from './event-hashes.js';

/** Which thread hashes: `auto` moves to a worker thread after `HASH_WORKER_AFTER_EVENTS` events. */
export type HashThread = 'auto' | 'worker' | 'this';

/** Events hashed on this thread before `auto` starts a worker: shorter chains never start one. */
const HASH_WORKER_AFTER_EVENTS = 20_000;
/** Events per batch sent to the worker, and batches sent ahead of the one being checked. */
const BATCH_EVENTS = 250;
const BATCHES_AHEAD = 4;
/** Batches the worker may have queued; past that this thread hashes the next batch itself. */
const WORKER_QUEUE = 4;

export interface HashedPage {
  events: StoredEvent[];
  hashes: RecomputedHashes;
}

export async function* hashedPages(
  pages: AsyncIterable<StoredEvent[]>,
  thread: HashThread = 'auto',
): AsyncGenerator<HashedPage> {
  let hashedHere = 0;
  let started = thread === 'worker';
  let worker: HashWorker | null = started ? HashWorker.start() : null;
  const ahead: Promise<HashedPage>[] = [];
  let batch: StoredEvent[] = [];
  try {
    for await (const page of pages) {
      if (!started && thread === 'auto' && hashedHere >= HASH_WORKER_AFTER_EVENTS) {
        started = true;
        worker = HashWorker.start();
      }
      if (!worker) {
        // Page by page, as it comes: no batches to wait for.
        hashedHere += page.length;
        yield { events: page, hashes: hashEvents(page) };
        continue;
      }
      for (const event of page) batch.push(event);
      if (batch.length >= BATCH_EVENTS) {
        // While the worker has batches queued, this thread hashes one itself rather than wait for it.
        ahead.push(
          worker.queued >= WORKER_QUEUE
            ? Promise.resolve({ events: batch, hashes: hashEvents(batch) })
            : worker.hash(batch),
        );
        batch = [];
      }
      while (ahead.length > BATCHES_AHEAD) yield await (ahead.shift() as Promise<HashedPage>);
    }
    if (batch.length > 0 && worker) ahead.push(worker.hash(batch));
    while (ahead.length > 0) yield await (ahead.shift() as Promise<HashedPage>);
  } finally {
    worker?.close();
  }
}

/**
 * One worker thread hashing batches in the order they are sent. Should it fail (it should not), the batches
 * it has not answered, and any sent after, are hashed on this thread: verification does not depend on it.
 */
class HashWorker {
  private readonly waiting: { events: StoredEvent[]; resolve: (page: HashedPage) => void }[] = [];
  private failed = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (hashes: ArrayBuffer) => {
      const next = this.waiting.shift();
      next?.resolve({ events: next.events, hashes: new RecomputedHashes(Buffer.from(hashes)) });
    });
    const fail = () => {
      this.failed = true;
      for (const { events, resolve } of this.waiting.splice(0))
        resolve({ events, hashes: hashEvents(events) });
    };
    worker.on('error', fail);
    worker.on('exit', fail);
  }

  /** `null` when the worker's script is not built (running from the sources without `npm run build`). */
  static start(): HashWorker | null {
    const script = compiledWorkerScript('ledger/hash-worker.js');
    return script ? new HashWorker(new Worker(script)) : null;
  }

  get queued(): number {
    return this.waiting.length;
  }

  hash(events: StoredEvent[]): Promise<HashedPage> {
    if (this.failed) return Promise.resolve({ events, hashes: hashEvents(events) });
    const packed = packEvents(events);
    const answered = new Promise<HashedPage>((resolve) => this.waiting.push({ events, resolve }));
    this.worker.postMessage(packed, [packed]);
    return answered;
  }

  close(): void {
    this.failed = true;
    this.waiting.length = 0;
    void this.worker.terminate();
  }
}

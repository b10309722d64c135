/**
 * Where an import's plan is made while it is written. For a big package, on a worker thread: validating,
 * canonicalising and hashing (one core) then overlap with the database ingesting the rows planned before (the
 * other core), and the plan is never held whole; the package's files are read by both threads first, since
 * this one has nothing else to do then (shared-reading.ts). For a small package, on this thread, as the
 * writer asks for it (a thread would cost more than it saves). Either way the writer sees the same parts, in
 * the same order, and the same rejections.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { InternalError, PackageRejectedError } from '../errors.js';
import {
  type ListedPackage,
  type OpenedPackage,
  openListedPackage,
  readOpenedPackage,
} from '../package/read-package.js';
import { readClaimedByFolder, shareReading } from '../package/shared-reading.js';
import type { PlanOptions } from '../phases/types.js';
import { type PlanPart, type PlanSummary, planParts } from '../plan/plan-import.js';
import { compiledWorkerScript } from '../worker-script.js';
import type { PlanStream } from './apply-plan.js';
import { type PlanMessage, reviveEvent, unpackObjects } from './plan-messages.js';

/** `read`: the package's files are read and checked; then the plan's parts, in write order. */
export type PlanEvent = { kind: 'read' } | PlanPart;

/** Which thread plans: `auto` uses a worker thread for packages of `PLAN_WORKER_MIN_FILES` files or more. */
export type PlanThread = 'auto' | 'worker' | 'this';

/** Below this many files planning on a worker thread costs more than it saves. */
export const PLAN_WORKER_MIN_FILES = 1000;

export interface PlanSource {
  /** The next event, `null` after the last part; throws the package's rejection when planning finds one. */
  next(): Promise<PlanEvent | null>;
  /** The plan's summary as soon as planning has finished, even before the writer reaches it. */
  readonly summary: PlanSummary | null;
  /** Stops planning (a worker thread is terminated). */
  close(): void;
}

/**
 * Plans a listed package (its manifest is read and checked by the planner unless the caller has opened it
 * already): the package's rejections come from `next()`, in the same order as from `readPackage`.
 */
export function openPlanSource(
  listed: ListedPackage | OpenedPackage,
  options: PlanOptions,
  thread: PlanThread = 'auto',
): PlanSource {
  const files = listed.discoveries.reduce((sum, discovery) => sum + discovery.paths.length, 0);
  const useWorker = thread === 'worker' || (thread === 'auto' && files >= PLAN_WORKER_MIN_FILES);
  const script = useWorker ? compiledWorkerScript('importer/plan-worker.js') : null;
  if (thread === 'worker' && !script) {
    throw new Error('the planning worker is not built (run `npm run build`)');
  }
  return script ? new WorkerPlan(script, listed, options) : new ThisThreadPlan(listed, options);
}

/** What the planning thread is given: the listing (plain data), not the manifest the caller may have parsed. */
function listingOf({ rootReal, options, folders, discoveries }: ListedPackage): ListedPackage {
  return { rootReal, options, folders, discoveries };
}

/**
 * What the writer needs to start: waits until the package is read (then calls `onRead`), for the manifest part
 * and for the first phase's first part, so that the first phase is checked whole before a transaction opens.
 * Later phases are planned while earlier ones are written (a rejection then rolls the transaction back).
 */
export async function startPlanStream(source: PlanSource, onRead: () => void): Promise<PlanStream> {
  const nextPart = async (): Promise<PlanPart | null> => {
    const event = await source.next();
    if (event?.kind === 'read') throw new Error('the package was read twice');
    return event;
  };
  if ((await source.next())?.kind !== 'read') throw new Error('the package was not read');
  onRead();
  const head = await nextPart();
  if (head?.kind !== 'manifest') throw new Error('the plan did not start with its manifest');
  let first = await nextPart();
  return {
    identity: head.identity,
    manifestEvent: head.manifestEvent,
    rest: {
      next: async () => {
        const part = first ?? (await nextPart());
        first = null;
        return part ? { done: false, value: part } : { done: true, value: undefined };
      },
    },
  };
}

class ThisThreadPlan implements PlanSource {
  summary: PlanSummary | null = null;
  private readonly events: AsyncGenerator<PlanEvent>;

  constructor(listed: ListedPackage | OpenedPackage, options: PlanOptions) {
    this.events = this.plan(listed, options);
  }

  async next(): Promise<PlanEvent | null> {
    const step = await this.events.next();
    return step.done ? null : step.value;
  }

  close(): void {
    void this.events.return(undefined);
  }

  private async *plan(
    listed: ListedPackage | OpenedPackage,
    options: PlanOptions,
  ): AsyncGenerator<PlanEvent> {
    const opened = 'manifest' in listed ? listed : openListedPackage(listed);
    const snapshot = await readOpenedPackage(opened);
    yield { kind: 'read' };
    for (const part of planParts(snapshot, options)) {
      if (part.kind === 'summary') this.summary = part.summary;
      yield part;
    }
  }
}

/**
 * V8's heap growing factor while a planning thread runs (V8's `--heap-growing-percent`, for both threads' heaps).
 * Left to itself V8 lets a heap grow up to 4 times its live data before its next full collection, and both heaps
 * here hold short-lived copies of everything (file bytes, parsed and sealed records, batches in flight): at 2 the
 * 200k-object benchmark package peaked at 558 MB instead of 712 (medians of 8 alternating runs each on
 * PostgreSQL; the planning thread's heap 293 -> 227 MB, the importing thread's 153 -> 108 MB) in the same time
 * (14.3 s against 14.9 s; as much time in garbage collection: more full collections of less). At 1.5 it was
 * ~530 MB for ~1.5 s more CPU.
 * Process-wide, so held while any planning thread's import runs, and left alone when Node was given its own value.
 */
const HEAP_GROWING_PERCENT = 100;
let heapGrowingHolders = 0;

function holdHeapGrowing(): () => void {
  if (process.execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return () => {};
  if (heapGrowingHolders === 0) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  heapGrowingHolders += 1;
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    heapGrowingHolders -= 1;
    // 0 is V8's default: the factor V8 computes.
    if (heapGrowingHolders === 0) setFlagsFromString('--heap-growing-percent=0');
  };
}

class WorkerPlan implements PlanSource {
  summary: PlanSummary | null = null;
  private readonly releaseHeapGrowing: () => void;
  private readonly worker: Worker;
  private readonly inFlight = new Int32Array(new SharedArrayBuffer(4));
  private readonly queue: PlanMessage[] = [];
  private wake: (() => void) | null = null;
  private stopped: Error | null = null;
  private finished = false;

  /** Starts the planning thread, then reads this thread's share of the package's files and hands them over. */
  constructor(script: string, listed: ListedPackage, options: PlanOptions) {
    const share = shareReading(listed.rootReal, listed.discoveries);
    this.worker = new Worker(script, {
      workerData: { listed: listingOf(listed), options, inFlight: this.inFlight.buffer, share },
    });
    this.releaseHeapGrowing = holdHeapGrowing();
    this.worker.on('message', (message: PlanMessage) => {
      if (message.type === 'part' && message.part.kind === 'summary') this.summary = message.part.summary;
      this.queue.push(message);
      this.notify();
    });
    this.worker.on('error', (error) => this.stop(planningThreadFailure(error)));
    this.worker.on('exit', (code) =>
      this.stop(new InternalError('internal.error', `the planning thread exited (code ${code})`)),
    );
    const packed = readClaimedByFolder(share);
    this.worker.postMessage(
      packed,
      packed.flatMap((folder) => folder.blocks),
    );
  }

  async next(): Promise<PlanEvent | null> {
    if (this.finished) return null;
    while (this.queue.length === 0) {
      if (this.stopped) throw this.stopped;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    const message = this.queue.shift() as PlanMessage;
    switch (message.type) {
      case 'read':
        return { kind: 'read' };
      case 'part': {
        Atomics.sub(this.inFlight, 0, 1);
        Atomics.notify(this.inFlight, 0);
        const { part } = message;
        if (part.kind === 'objects') {
          return { kind: 'objects', phase: part.phase, objects: unpackObjects(part.packed) };
        }
        if (part.kind === 'manifest') return { ...part, manifestEvent: reviveEvent(part.manifestEvent) };
        return {
          kind: 'summary',
          summary: { ...part.summary, completionEvent: reviveEvent(part.summary.completionEvent) },
        };
      }
      case 'end':
        this.finished = true;
        return null;
      case 'rejected':
        this.finished = true;
        throw new PackageRejectedError(message.phase, message.code, message.message, message.facts);
      case 'failed': {
        this.finished = true;
        const error = new InternalError('internal.error', `the planning thread failed: ${message.message}`);
        if (message.stack) error.stack = message.stack;
        throw error;
      }
    }
  }

  close(): void {
    this.stop(new InternalError('internal.error', 'planning was stopped'));
    void this.worker.terminate();
    this.releaseHeapGrowing();
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/**
 * Why the planning thread stopped, for the user: out of memory (a worker thread gets the process's heap limit)
 * says how to raise the limit, and carries V8's limit for this process as `heap_size_limit_mb`; anything else
 * is a bug.
 */
function planningThreadFailure(error: Error): InternalError {
  if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    const limitMb = Math.round(getHeapStatistics().heap_size_limit / (1024 * 1024));
    const suggestedMb = Math.max(4096, 1024 * Math.ceil((2 * limitMb) / 1024));
    return new InternalError(
      'internal.out_of_memory',
      "the planning thread ran out of memory at Node's heap limit (a package's largest phase is planned in " +
        `memory): run it again with a larger limit, e.g. NODE_OPTIONS=--max-old-space-size=${suggestedMb}`,
      { heap_size_limit_mb: limitMb },
      { cause: error },
    );
  }
  return new InternalError(
    'internal.error',
    `the planning thread failed: ${error.message}`,
    {},
    { cause: error },
  );
}

/**
 * Named fault points on the apply path, for the failure-injection harness. Business code only ever calls
 * `faults.reach(point, session)`; what happens there is decided here. Production runs use `NO_FAULTS`.
 */
import type { Backend, Session } from '../db/database.js';
import { ChronicleError, UsageError } from '../errors.js';

export const FAULT_KINDS = ['throw', 'db-error', 'terminate', 'kill', 'sigint', 'sigterm'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const PHASE_FAULT_POINTS = [
  'before-phase:manifest',
  'before-phase:entity',
  'before-phase:edge',
  'before-phase:ontology',
  'before-phase:lore',
  'before-phase:finalization',
] as const;
export const FIXED_FAULT_POINTS = [
  ...PHASE_FAULT_POINTS,
  'before-import-log',
  'before-commit',
  'after-commit-before-run-record',
] as const;

export interface FaultSpec {
  /** e.g. `before-phase:entity`, `after-events:3`, `before-commit`. */
  point: string;
  kind: FaultKind;
}

/** The error a `throw` fault raises (exit 1, outcome rolled_back). */
export class FaultInjectedError extends ChronicleError {
  constructor(spec: FaultSpec, cause?: unknown) {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    super(
      'fault.injected',
      `fault injected at ${spec.point} (${spec.kind})${detail}`,
      { fault_point: spec.point, fault_kind: spec.kind },
      { cause },
    );
  }
}

/** Runs the statement that makes the database fail, and reports its failure as the injected fault. */
async function failWith(spec: FaultSpec, statement: () => Promise<unknown>): Promise<void> {
  try {
    await statement();
  } catch (error) {
    throw new FaultInjectedError(spec, error);
  }
}

export interface FaultPoints {
  /** Event counts (1-based, per import) after which an `after-events:<n>` point exists. */
  readonly eventThresholds: ReadonlySet<number>;
  /** The armed specs, for logs and run records. */
  readonly specs: readonly FaultSpec[];
  reach(point: string, session: Session | null): Promise<void>;
}

export const NO_FAULTS: FaultPoints = {
  eventThresholds: new Set(),
  specs: [],
  reach: async () => {},
};

/** `<point>[:<kind>]`, e.g. `after-events:3`, `before-phase:lore:kill`, `before-commit:db-error`. */
export function parseFaultSpec(text: string): FaultSpec {
  const parts = text.split(':');
  const last = parts[parts.length - 1] ?? '';
  const kind = (FAULT_KINDS as readonly string[]).includes(last) ? (parts.pop() as FaultKind) : 'throw';
  const point = parts.join(':');
  if (isFaultPoint(point)) return { point, kind };
  // A known point followed by something that is no kind: the kind is what is wrong.
  const before = parts.slice(0, -1).join(':');
  if (kind === 'throw' && parts.length > 1 && isFaultPoint(before)) {
    throw new UsageError(
      `unknown fault kind '${last}' at ${before}; expected one of ${FAULT_KINDS.join(', ')}`,
      { fault_point: before, fault_kind: last },
      'usage.fault_kind',
    );
  }
  throw new UsageError(
    `unknown fault point '${point}'; expected one of ${FIXED_FAULT_POINTS.join(', ')}, after-events:<n>`,
    { fault_point: point },
    'usage.fault_point',
  );
}

function isEventsPoint(point: string): boolean {
  return /^after-events:[1-9][0-9]*$/.test(point);
}

function isFaultPoint(point: string): boolean {
  return (FIXED_FAULT_POINTS as readonly string[]).includes(point) || isEventsPoint(point);
}

/** Refuses, before anything runs, a fault kind the backend cannot produce (terminate needs a server). */
export function checkFaultsSupported(specs: readonly FaultSpec[], backend: Backend): void {
  const terminate = specs.find((spec) => spec.kind === 'terminate');
  if (terminate && backend !== 'pg') {
    throw new UsageError(
      `the terminate fault (${terminate.point}:terminate) needs a PostgreSQL server; this database is embedded PGlite`,
      { fault_point: terminate.point, fault_kind: terminate.kind },
      'usage.fault_kind',
    );
  }
}

export function armFaults(specs: readonly FaultSpec[]): FaultPoints {
  if (specs.length === 0) return NO_FAULTS;
  const thresholds = new Set<number>();
  for (const spec of specs) {
    const match = /^after-events:(\d+)$/.exec(spec.point);
    if (match?.[1]) thresholds.add(Number(match[1]));
  }
  return {
    eventThresholds: thresholds,
    specs,
    async reach(point, session) {
      for (const spec of specs) {
        if (spec.point === point) await trigger(spec, session);
      }
    },
  };
}

async function trigger(spec: FaultSpec, session: Session | null): Promise<void> {
  switch (spec.kind) {
    case 'throw':
      throw new FaultInjectedError(spec);
    case 'db-error':
      if (!session) throw new FaultInjectedError(spec);
      // A real statement failure raised by the server: the transaction is aborted by PostgreSQL itself.
      await failWith(spec, () =>
        session.query(`DO $$ BEGIN RAISE EXCEPTION 'chronicle fault injected at ${spec.point}'; END $$`),
      );
      throw new FaultInjectedError(spec);
    case 'terminate':
      if (!session) throw new FaultInjectedError(spec);
      if (session.backend !== 'pg') {
        throw new UsageError('the terminate fault needs a PostgreSQL server', {}, 'usage.fault_kind');
      }
      // The server ends our own connection mid-transaction.
      await failWith(spec, () => session.query('SELECT pg_terminate_backend(pg_backend_pid())'));
      throw new FaultInjectedError(spec);
    case 'kill':
      process.kill(process.pid, 'SIGKILL');
      // SIGKILL is not catchable; wait for it to land.
      await new Promise(() => {});
      return;
    case 'sigint':
    case 'sigterm': {
      // The process is asked to stop (Ctrl-C, a service manager): what follows is up to the import's own handling.
      const signal = spec.kind === 'sigint' ? 'SIGINT' : 'SIGTERM';
      const delivered = new Promise<void>((resolve) => process.once(signal, () => resolve()));
      const awake = setInterval(() => {}, 1000); // a signal handler alone does not keep the event loop running
      process.kill(process.pid, signal);
      await delivered;
      clearInterval(awake);
    }
  }
}

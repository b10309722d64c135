/** Injectable time and ids: tests pin them, so every hashed or stored value is reproducible. */
import { randomUUID } from 'node:crypto';

export interface Clock {
  /** Microseconds since the Unix epoch, UTC. */
  nowMicros(): bigint;
}

export const systemClock: Clock = {
  nowMicros: () => BigInt(Date.now()) * 1000n,
};

/** A clock that starts at `start` and advances by `stepMicros` on every reading. */
export function fixedClock(startIso: string, stepMicros = 0n): Clock {
  let current = BigInt(Date.parse(startIso)) * 1000n;
  return {
    nowMicros: () => {
      const value = current;
      current += stepMicros;
      return value;
    },
  };
}

export type IdGenerator = () => string;

export const randomRunId: IdGenerator = () => randomUUID();

export function sequentialRunIds(prefix = 'run'): IdGenerator {
  let n = 0;
  return () => `${prefix}-${String(++n).padStart(6, '0')}`;
}

export function microsToIso(micros: bigint): string {
  const ms = micros / 1000n;
  const sub = micros % 1000n;
  const iso = new Date(Number(ms)).toISOString(); // ...sss Z
  return sub === 0n ? iso : `${iso.slice(0, 23)}${sub.toString().padStart(3, '0')}Z`;
}

/**
 * A verification of a chain altered throughout finds millions of problems: the report keeps those at the
 * lowest ordinals, in the order found within an ordinal, and counts the rest.
 */
import { describe, expect, it } from 'vitest';
import { ProblemList, type VerifyProblem } from '../../../src/ledger/chain-verifier.js';

const problem = (ordinal: number, message = `at ${ordinal}`): VerifyProblem => ({
  ordinal,
  kind: 'payload_hash',
  message,
});

describe('the problems of a report', () => {
  it('keeps the lowest ordinals, found in any order, and counts every problem', () => {
    const list = new ProblemList(3);
    for (const ordinal of [9, 4, 7, 1, 8, 2, 6, 3, 5, 0, 11, 10]) list.add(problem(ordinal));
    expect(list.sorted().map((p) => p.ordinal)).toEqual([0, 1, 2]);
    expect(list.count).toBe(12);
  });

  it('keeps the order in which problems of one ordinal were found', () => {
    const list = new ProblemList(4);
    for (let i = 0; i < 20; i += 1) list.add(problem(10 - (i % 3), `#${i}`));
    expect(list.sorted().map((p) => p.message)).toEqual(['#2', '#5', '#8', '#11']);
  });

  it('lists the lowest ordinals of a million problems found highest first', () => {
    const list = new ProblemList(100);
    for (let ordinal = 1_000_000; ordinal > 0; ordinal -= 1) list.add(problem(ordinal));
    expect(list.sorted().map((p) => p.ordinal)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(list.count).toBe(1_000_000);
  });
});

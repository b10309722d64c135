import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  compareCodePoints,
  hasLoneSurrogate,
  PY_SPACE_CLASS,
  pyIsSpace,
  pyStrip,
  pyWordCount,
  sortByCodePoints,
} from '../../../src/canonical/index.js';

describe('compareCodePoints', () => {
  it('orders U+E000 before U+1F600 (UTF-16 order would reverse them)', () => {
    expect(compareCodePoints('\ue000', '\u{1F600}')).toBeLessThan(0);
    expect(compareCodePoints('\u{1F600}', '\ue000')).toBeGreaterThan(0);
    expect(['\u{1F600}', '\uffff', '\ue000', 'z', '\u{10000}'].sort(compareCodePoints)).toEqual([
      'z',
      '\ue000',
      '\uffff',
      '\u{10000}',
      '\u{1F600}',
    ]);
  });

  it('orders prefixes first, equal strings as 0, and astral characters among themselves', () => {
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
    expect(compareCodePoints('abc', 'abc')).toBe(0);
    expect(compareCodePoints('\u{1F600}', '\u{1F601}')).toBeLessThan(0);
    expect(compareCodePoints('\u{10000}', '\u{FFFFF}')).toBeLessThan(0);
    expect(compareCodePoints('edge', 'entity')).toBeLessThan(0);
    expect(compareCodePoints('ontology.affordance', 'ontology.tag')).toBeLessThan(0);
  });
});

describe('sortByCodePoints', () => {
  const alphabet = ['a', 'b', 'z', '\u00e9', '\ue000', '\uffff', '\u{1F600}', '\u{10000}', ''];
  /** Deterministic pseudo-random keys of 0-3 characters from an alphabet that mixes astral and U+E000+. */
  function keys(count: number, seed: number): string[] {
    let state = seed;
    const next = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state;
    };
    return Array.from({ length: count }, () =>
      Array.from({ length: next() % 4 }, () => alphabet[next() % alphabet.length]).join(''),
    );
  }

  it('sorts in place by code point, short arrays and long ones alike, as sort(compareCodePoints) does', () => {
    for (const count of [0, 1, 2, 5, 24, 25, 60]) {
      for (const seed of [1, 2, 3]) {
        const input = keys(count, seed * 100 + count);
        const expected = [...input].sort(compareCodePoints);
        const sorted = sortByCodePoints(input);
        expect(sorted).toBe(input);
        expect(sorted).toEqual(expected);
      }
    }
    expect(sortByCodePoints(['\u{1F600}', '\ue000', 'b', 'a'])).toEqual(['a', 'b', '\ue000', '\u{1F600}']);
  });

  it('moves each companion along with its key', () => {
    for (const count of [7, 40]) {
      const input = keys(count, count).map((key, index) => `${key}#${index}`);
      const companions = input.map((key) => `value of ${key}`);
      sortByCodePoints(input, companions);
      expect(input).toEqual([...input].sort(compareCodePoints));
      expect(companions).toEqual(input.map((key) => `value of ${key}`));
    }
  });
});

describe('codePointLength', () => {
  it('counts code points like Python len()', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('😀a')).toBe(2);
    expect(codePointLength('e\u0301')).toBe(2);
    expect(codePointLength('\ud800\ud800x\udc00')).toBe(4);
  });
});

describe('Python whitespace', () => {
  it('pyIsSpace follows str.isspace: \\x1c-\\x1f and \\x85 yes, U+FEFF and U+180E no', () => {
    for (const ch of [
      '\t',
      '\n',
      '\v',
      '\f',
      '\r',
      '\x1c',
      '\x1d',
      '\x1e',
      '\x1f',
      ' ',
      '\x85',
      '\xa0',
      '\u1680',
    ]) {
      expect(pyIsSpace(ch), JSON.stringify(ch)).toBe(true);
    }
    for (const ch of ['\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000']) {
      expect(pyIsSpace(ch), JSON.stringify(ch)).toBe(true);
    }
    for (const ch of ['\ufeff', '\u180e', '\u200b', 'a', '', '\x1b', '\x84']) {
      expect(pyIsSpace(ch), JSON.stringify(ch)).toBe(false);
    }
    expect(pyIsSpace(' \t')).toBe(true);
  });

  it('pyStrip strips what Python strips, unlike String.prototype.trim', () => {
    expect(pyStrip('\x1c\x85 text \u3000\x1f')).toBe('text');
    expect(pyStrip('\ufeffkeep\ufeff')).toBe('\ufeffkeep\ufeff');
    expect(pyStrip('   ')).toBe('');
    expect(pyStrip('a b')).toBe('a b');
  });

  it('pyWordCount counts what Python s.split() gives: runs between Python whitespace, none empty', () => {
    expect(pyWordCount('  alpha\x1cbeta \n\u2003 gamma\x85')).toBe(3);
    expect(pyWordCount('a\ufeffb c')).toBe(2);
    expect(pyWordCount('a\u180eb')).toBe(1);
    expect(pyWordCount('')).toBe(0);
    expect(pyWordCount(' \t ')).toBe(0);
    expect(pyWordCount('one')).toBe(1);
    expect(pyWordCount('\u{1F600} \ud800')).toBe(2);
    // against a split on runs of the same class, for every whitespace character between two words
    const runs = new RegExp(`${PY_SPACE_CLASS}+`);
    for (let code = 0; code <= 0x3000; code++) {
      const text = ` a${String.fromCharCode(code)}b `;
      const split = text.trim() === '' ? [] : text.split(runs).filter((part) => part !== '');
      if (pyWordCount(text) !== split.length) throw new Error(`mismatch at U+${code.toString(16)}`);
    }
  });

  it('PY_SPACE_CLASS matches exactly the characters pyIsSpace accepts', () => {
    const re = new RegExp(`^${PY_SPACE_CLASS}$`, 'u');
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const ch = String.fromCharCode(code);
      if (re.test(ch) !== pyIsSpace(ch)) throw new Error(`mismatch at U+${code.toString(16)}`);
    }
    expect(re.test('\ufeff')).toBe(false);
    expect(new RegExp(PY_SPACE_CLASS).test('\x1e')).toBe(true);
  });
});

describe('hasLoneSurrogate', () => {
  it('finds unpaired surrogates only', () => {
    expect(hasLoneSurrogate('😀')).toBe(false);
    expect(hasLoneSurrogate('a\ud83d')).toBe(true);
    expect(hasLoneSurrogate('\ude00a')).toBe(true);
  });
});

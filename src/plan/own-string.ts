/**
 * A copy of a string that shares no storage with the text it was cut from. Parsed strings are slices of their
 * file's whole text, and V8 keeps that text alive as long as one slice of it lives: an id kept until a phase or
 * the plan ends would keep its whole file. V8 copies substrings shorter than 13 characters anyway.
 */
export function ownString(text: string): string {
  return text.length < SHORTEST_SLICE ? text : (JSON.parse(JSON.stringify(text)) as string);
}

const SHORTEST_SLICE = 13;

/**
 * Streams that can also be read a page (an array of records) at a time. Reading records one by one from an
 * async generator costs an asynchronous step (promises, a turn of the microtask queue) per record; reading
 * pages costs one per page. Done for speed: verification reads four streams beside every event.
 */

/** An async generator of records that also offers its records by page. */
export type PagedGenerator<T> = AsyncGenerator<T> & { pages(): AsyncGenerator<T[]> };

/** The records of `pages` one by one, keeping `pages` for consumers that take whole pages. */
export function rowsOf<T>(pages: () => AsyncGenerator<T[]>): PagedGenerator<T> {
  const rows = (async function* () {
    for await (const page of pages()) yield* page;
  })();
  return Object.assign(rows, { pages });
}

/** The stream's pages; a stream without pages gives one record per page. */
export function pagesOf<T>(source: AsyncIterable<T>): AsyncIterable<T[]> {
  const pages = (source as Partial<PagedGenerator<T>>).pages;
  if (typeof pages === 'function') return pages.call(source);
  return (async function* () {
    for await (const record of source) yield [record];
  })();
}

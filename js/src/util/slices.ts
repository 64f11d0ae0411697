// Work that arrives all at once (every code block waiting for highlight.js when it lands),
// done in tasks of at most `budgetMs` each, so that no single task stalls the page.

export function inSlices<T>(items: readonly T[], each: (item: T) => void, budgetMs = 8): void {
  let next = 0;
  const slice = () => {
    const deadline = performance.now() + budgetMs;
    do {
      each(items[next] as T);
      next++;
    } while (next < items.length && performance.now() < deadline);
    if (next < items.length) setTimeout(slice, 0);
  };
  if (items.length) slice();
}

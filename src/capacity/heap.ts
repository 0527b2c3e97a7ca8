/**
 * A binary min-heap kept in a plain array, ordered by `less`: the scheduler's jobs by virtual finish
 * tag, the simulation's events by time. Ties must be broken by the caller's `less` (a sequence
 * number) so that equal keys leave in insertion order.
 */
export type Less<T> = (a: T, b: T) => boolean;

export function heapPush<T>(h: T[], x: T, less: Less<T>): void {
  h.push(x);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(h[i]!, h[p]!)) break;
    [h[i], h[p]] = [h[p]!, h[i]!];
    i = p;
  }
}

export function heapPop<T>(h: T[], less: Less<T>): T | undefined {
  const top = h[0];
  const last = h.pop();
  if (h.length > 0 && last !== undefined) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && less(h[l]!, h[m]!)) m = l;
      if (r < h.length && less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
  return top;
}

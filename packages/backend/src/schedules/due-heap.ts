/**
 * A min-heap of due times keyed by name: `set` moves a key's due time, `delete` drops it, `popDue` takes every key
 * due at or before an instant. Old heap entries of a moved key are skipped when they surface (lazy deletion) and
 * the heap is rebuilt when they outnumber the live ones, so each operation costs O(log n).
 */
interface Entry<K> {
  at: number;
  key: K;
}

export class DueHeap<K> {
  private readonly heap: Entry<K>[] = [];
  private readonly due = new Map<K, number>();

  get size(): number {
    return this.due.size;
  }

  /** The key's due time; +Infinity keeps it known but never due. */
  set(key: K, at: number): void {
    if (this.due.get(key) === at) return;
    this.due.set(key, at);
    if (at !== Number.POSITIVE_INFINITY) this.push({ at, key });
    if (this.heap.length > 2 * this.due.size + 64) this.rebuild();
  }

  get(key: K): number | undefined {
    return this.due.get(key);
  }

  has(key: K): boolean {
    return this.due.has(key);
  }

  delete(key: K): void {
    this.due.delete(key);
  }

  keys(): IterableIterator<K> {
    return this.due.keys();
  }

  /** The earliest due time (+Infinity when nothing is ever due). */
  peek(): number {
    this.dropStale();
    return this.heap[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  /** Takes every key due at or before `nowMs`, earliest first; they stay known, due never until `set` again. */
  popDue(nowMs: number): K[] {
    const out: K[] = [];
    for (;;) {
      this.dropStale();
      const top = this.heap[0];
      if (!top || top.at > nowMs) return out;
      this.pop();
      this.due.set(top.key, Number.POSITIVE_INFINITY);
      out.push(top.key);
    }
  }

  private dropStale(): void {
    while (this.heap.length > 0 && this.due.get(this.heap[0]!.key) !== this.heap[0]!.at) this.pop();
  }

  private rebuild(): void {
    this.heap.length = 0;
    for (const [key, at] of this.due) if (at !== Number.POSITIVE_INFINITY) this.push({ at, key });
  }

  private push(e: Entry<K>): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= e.at) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.at < h[l]!.at ? r : l;
      if (h[c]!.at >= last.at) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}

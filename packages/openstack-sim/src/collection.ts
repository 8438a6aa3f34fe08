/**
 * An in-memory collection kept sorted by id (plain code-unit order), with an id index.
 * Pages are found by binary search, so a page of 1000 out of 100k is O(log n + 1000).
 */
export class Collection<T extends Record<string, any>> {
  private items: T[] = [];
  private readonly byId = new Map<string, T>();
  /** field -> field value -> id -> item; built by the first `where` on a field, then kept by add/remove */
  private readonly indexes = new Map<string, Map<unknown, Map<string, T>>>();
  /** bumped by every add, remove and load (cache keys of derived figures such as quota usage) */
  version = 0;

  constructor(private readonly idKey: string = 'id', initial: T[] = []) {
    this.load(initial);
  }

  load(items: T[]) {
    this.version++;
    const key = this.idKey;
    this.items = items.slice().sort((a, b) => cmp(a[key], b[key]));
    this.byId.clear();
    for (const item of this.items) this.byId.set(item[key], item);
    this.indexes.clear();
  }

  get size(): number {
    return this.items.length;
  }

  all(): readonly T[] {
    return this.items;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  add(item: T): T {
    this.version++;
    const id = item[this.idKey];
    if (this.byId.has(id)) this.remove(id);
    const at = upperBound(this.items, id, this.idKey);
    this.items.splice(at, 0, item);
    this.byId.set(id, item);
    for (const [field, index] of this.indexes)
      bucket(index, item[field]).set(id, item);
    return item;
  }

  remove(id: string): T | undefined {
    const item = this.byId.get(id);
    if (!item) return undefined;
    this.version++;
    const at = upperBound(this.items, id, this.idKey) - 1;
    if (at >= 0 && this.items[at][this.idKey] === id) this.items.splice(at, 1);
    this.byId.delete(id);
    for (const [field, index] of this.indexes)
      index.get(item[field])?.delete(id);
    return item;
  }

  /**
   * Items whose `field` equals `value`, in O(matches) once the field's index exists (its first use
   * scans the collection). Like the id, an indexed field is read when the item is added: to change
   * it in place, remove the item and add it again.
   */
  where(field: string, value: unknown): Iterable<T> {
    let index = this.indexes.get(field);
    if (!index) {
      index = new Map();
      for (const item of this.items)
        bucket(index, item[field]).set(item[this.idKey], item);
      this.indexes.set(field, index);
    }
    return index.get(value)?.values() ?? [];
  }

  filter(pred: (item: T) => boolean): T[] {
    return this.items.filter(pred);
  }
}

function bucket<T>(index: Map<unknown, Map<string, T>>, value: unknown) {
  let items = index.get(value);
  if (!items) index.set(value, (items = new Map()));
  return items;
}

export function cmp(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Index of the first element whose id is strictly greater than `id`. */
export function upperBound<T extends Record<string, any>>(
  items: readonly T[],
  id: string,
  idKey = 'id',
): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid][idKey] <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Page<T> {
  items: T[];
  /** id of the last item when the page is full (the real services then emit a next link) */
  nextMarker?: string;
}

/**
 * One page after `marker` (exclusive). Like Nova, Cinder, Neutron and Glance, a next marker is
 * returned whenever the page is full, even when nothing follows.
 */
export function paginate<T extends Record<string, any>>(
  items: readonly T[],
  limit: number,
  marker?: string,
  idKey = 'id',
): Page<T> {
  const start = marker ? upperBound(items, marker, idKey) : 0;
  const page = items.slice(start, start + limit);
  const full = page.length === limit && limit > 0;
  return {
    items: page,
    nextMarker: full ? page[page.length - 1][idKey] : undefined,
  };
}

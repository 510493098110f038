/**
 * Memoises an async lookup per key for a few seconds within one container: for reads on the hot path whose data
 * changes rarely (a tenant's locations, its webhook subscriptions). A failed lookup is not cached.
 */
export function ttlCache<T>(lookup: (key: string) => Promise<T>, ttlMs: number, now: () => number = Date.now): (key: string) => Promise<T> {
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return (key) => {
    const cached = entries.get(key);
    if (cached && now() - cached.at < ttlMs) return cached.value;
    const value = lookup(key);
    entries.set(key, { at: now(), value });
    value.catch(() => entries.delete(key));
    // Bounded: a container serving many tenants drops its oldest entry first.
    if (entries.size > 1000) entries.delete(entries.keys().next().value!);
    return value;
  };
}

import type { Adjustment, HoldBack } from './schemas.ts';
import type { ShardTake } from './stock-shards.ts';

/**
 * One stock item per tenant + location + SKU. `available` is stored (not derived on read) because DynamoDB conditions
 * cannot do arithmetic across attributes: every write that moves `onHand`, `reserved` or `safetyStock` moves
 * `available` in the same update, and a reservation is guarded by `available >= quantity`. It may be negative (a count
 * below the safety stock); what the API shows is `max(0, available)`.
 */
export interface StockLevel {
  tenantId: string;
  locationId: string;
  sku: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  available: number;
  lastSequence?: number;
  version: number;
  /** Commit time of the last change, ISO with milliseconds: the projection measures its lag from it. */
  updatedAt: string;
  /**
   * A sharded location+SKU (see stock-shards.ts): which shard this item is (absent: 0, the item every location+SKU
   * has), how many shards the location+SKU had when it was last laid out (absent: 1), and when (`epoch`, rising with
   * every layout: the projection drops what an older layout wrote).
   */
  shard?: number;
  shardCount?: number;
  epoch?: number;
  /** Units returned damaged to this location (issue 14): counted apart, never on hand for sale, never available. */
  damaged?: number;
}

export interface StockView {
  locationId: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  available: number;
}

export function atp(onHand: number, reserved: number, safetyStock: number): number {
  return Math.max(0, onHand - reserved - safetyStock);
}

export function viewOf(level: Pick<StockLevel, 'locationId' | 'onHand' | 'reserved' | 'safetyStock'>): StockView {
  return {
    locationId: level.locationId,
    onHand: level.onHand,
    reserved: level.reserved,
    safetyStock: level.safetyStock,
    available: atp(level.onHand, level.reserved, level.safetyStock),
  };
}

export function emptyLevel(tenantId: string, locationId: string, sku: string, now: Date): StockLevel {
  return { tenantId, locationId, sku, onHand: 0, reserved: 0, safetyStock: 0, available: 0, version: 0, updatedAt: now.toISOString() };
}

export type AdjustmentOutcome =
  | { kind: 'applied'; level: StockLevel }
  | { kind: 'ignored'; reason: 'STALE_SEQUENCE'; lastSequence: number }
  | { kind: 'rejected'; code: 'BELOW_RESERVED' | 'NEGATIVE_ON_HAND'; field: 'set' | 'delta'; message: string };

/**
 * Applies one adjustment to a stock level (pure). A sequence at or below the last applied one is ignored: feeds
 * arrive out of order and redelivered, and an older absolute count must not overwrite a newer one. On-hand may never
 * drop below the reserved units (those are promised to orders), so such an adjustment is refused, not clamped.
 */
export function applyAdjustment(current: StockLevel, adjustment: Adjustment, now: Date): AdjustmentOutcome {
  if (adjustment.sequence !== undefined && current.lastSequence !== undefined && adjustment.sequence <= current.lastSequence) {
    return { kind: 'ignored', reason: 'STALE_SEQUENCE', lastSequence: current.lastSequence };
  }
  let onHand = current.onHand;
  if (adjustment.set !== undefined) {
    if (adjustment.set < current.reserved) {
      return { kind: 'rejected', code: 'BELOW_RESERVED', field: 'set', message: `set ${adjustment.set} is below the ${current.reserved} unit(s) reserved for orders` };
    }
    onHand = adjustment.set;
  } else if (adjustment.delta !== undefined) {
    onHand = current.onHand + adjustment.delta;
    if (onHand < 0) {
      return { kind: 'rejected', code: 'NEGATIVE_ON_HAND', field: 'delta', message: `delta ${adjustment.delta} would take on-hand ${current.onHand} below 0` };
    }
    if (onHand < current.reserved) {
      return { kind: 'rejected', code: 'BELOW_RESERVED', field: 'delta', message: `delta ${adjustment.delta} would take on-hand below the ${current.reserved} unit(s) reserved for orders` };
    }
  }
  const safetyStock = adjustment.safetyStock ?? current.safetyStock;
  const lastSequence = adjustment.sequence ?? current.lastSequence;
  return {
    kind: 'applied',
    level: {
      ...current,
      onHand,
      safetyStock,
      available: onHand - current.reserved - safetyStock,
      ...(lastSequence !== undefined ? { lastSequence } : {}),
      version: current.version + 1,
      updatedAt: now.toISOString(),
    },
  };
}

/**
 * How an adjustment is written, as data the stock store turns into one conditional update:
 * - `add`: a movement alone (a `delta` without a new safety stock). It is added where it lands (`onHand`, `available`
 *   and `unreserved` move by `delta` in one update, no read first), so concurrent movements of one item all apply. The
 *   update's condition carries the invariants: on-hand never below the reserved units (`unreserved >= -delta`, where
 *   `unreserved = onHand - reserved` is stored beside them because a condition cannot do arithmetic across
 *   attributes) and a sequence never at or below the last applied one.
 * - `put`: a count, or a change of safety stock: the new values depend on `reserved` and `safetyStock`, so they are
 *   computed from the item as read and written only if those two have not moved since (`basis`; `absent`: the item
 *   must not exist yet). Movements between the read and the write do not matter: an absolute count replaces them.
 */
export type StockWrite =
  | { kind: 'add'; delta: number; sequence?: number }
  | { kind: 'put'; level: StockLevel; sequence?: number; basis: 'absent' | { reserved: number; safetyStock: number } };

export type AdjustmentPlan = { kind: 'write'; write: StockWrite } | Exclude<AdjustmentOutcome, { kind: 'applied' }>;

/** True for a movement that can be written without reading the item first. */
export function isPlainDelta(adjustment: Adjustment): boolean {
  return adjustment.delta !== undefined && adjustment.safetyStock === undefined;
}

/**
 * The write an adjustment needs (pure). A plain delta is an `add` whatever is known of the item, unless `readFirst`
 * (the item's `unreserved` was found missing or out of step, as on items written before it existed: the item as read
 * is then written whole, which repairs it). Everything else is decided by `applyAdjustment` on `current` (undefined: no
 * item) and, when applied, written as a `put` guarded by what it was computed from.
 */
export function planAdjustment(tenantId: string, current: StockLevel | undefined, adjustment: Adjustment, now: Date, readFirst = false): AdjustmentPlan {
  if (isPlainDelta(adjustment) && !readFirst) {
    return { kind: 'write', write: { kind: 'add', delta: adjustment.delta!, ...(adjustment.sequence !== undefined ? { sequence: adjustment.sequence } : {}) } };
  }
  const outcome = applyAdjustment(current ?? emptyLevel(tenantId, adjustment.locationId, adjustment.sku, now), adjustment, now);
  if (outcome.kind !== 'applied') return outcome;
  return {
    kind: 'write',
    write: {
      kind: 'put',
      level: outcome.level,
      ...(adjustment.sequence !== undefined ? { sequence: adjustment.sequence } : {}),
      basis: current ? { reserved: current.reserved, safetyStock: current.safetyStock } : 'absent',
    },
  };
}

/**
 * Why a conditional write of an adjustment was refused, from the item as it was when the condition failed (pure):
 * the final answer (`ignored`, `rejected`), or `retry` when the adjustment would apply to that item (the item moved
 * under a `put`'s basis, or an `add` met a missing or stale `unreserved`): plan it again from this item.
 */
export function explainRefusal(current: StockLevel | undefined, adjustment: Adjustment, now: Date): Exclude<AdjustmentOutcome, { kind: 'applied' }> | { kind: 'retry' } {
  const outcome = applyAdjustment(current ?? emptyLevel('', adjustment.locationId, adjustment.sku, now), adjustment, now);
  return outcome.kind === 'applied' ? { kind: 'retry' } : outcome;
}

/** What a channel may sell of `available` units at one location, after the channel's hold-back. */
export function channelAvailable(available: number, holdBack: HoldBack | undefined): number {
  const base = Math.max(0, available);
  if (!holdBack) return base;
  const byUnits = base - (holdBack.units ?? 0);
  const byShare = Math.floor(base * (1 - (holdBack.share ?? 0)) + 1e-9);
  return Math.max(0, Math.min(byUnits, byShare));
}

/**
 * The smallest stored `available` at which a channel may take `quantity` units: the constant a reservation's
 * condition compares against (`available >= :min`), so the hold-back is enforced by DynamoDB, not by a read.
 * Infinity when the channel may never take that many (a share of 1).
 */
export function minimumAvailableFor(quantity: number, holdBack: HoldBack | undefined): number {
  if (!holdBack) return quantity;
  const share = holdBack.share ?? 0;
  if (share >= 1) return Number.POSITIVE_INFINITY;
  let candidate = Math.max(quantity + (holdBack.units ?? 0), Math.ceil(quantity / (1 - share)) - 1);
  while (channelAvailable(candidate, holdBack) < quantity) candidate++;
  return candidate;
}

export interface ReservationLine {
  locationId: string;
  sku: string;
  quantity: number;
  /**
   * Which shards of a sharded location+SKU gave the units (stock-shards.ts), recorded when the reservation is written,
   * so release, commit and expiry give them back to exactly those shards. Absent: all from shard 0 (an unsharded
   * location+SKU, and every reservation written before sharding existed).
   */
  from?: ShardTake[];
}

/** The same location+sku twice becomes one line (a transaction may not touch an item twice), in a stable order. */
export function mergeLines(lines: ReservationLine[]): ReservationLine[] {
  const merged = new Map<string, ReservationLine>();
  for (const line of lines) {
    const key = `${line.locationId}\u0000${line.sku}`;
    const existing = merged.get(key);
    if (existing) existing.quantity += line.quantity;
    else merged.set(key, { ...line });
  }
  return [...merged.values()].sort((a, b) => (a.sku === b.sku ? a.locationId.localeCompare(b.locationId) : a.sku.localeCompare(b.sku)));
}

export interface Shortage {
  locationId: string;
  sku: string;
  requested: number;
  /** What the location could give this reservation (after safety stock and hold-back); 0 for an unknown pair. */
  available: number;
}

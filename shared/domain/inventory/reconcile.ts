import type { ReservationLine, StockLevel } from './stock.ts';

/**
 * Stock drift: a stock item whose `reserved` is not the sum of the lines of the PENDING reservations on its
 * location+SKU, or whose stored `available` is not `onHand - reserved - safetyStock`. Every reservation, release,
 * commit and expiry moves the reservation and the stock in one transaction, so drift means a bug, a hand edit or a
 * lost write; the reconciler finds it and writes the counts the open reservations imply.
 *
 * Two kinds of drift look the same as a write in flight, and wait rather than being corrected at once:
 * - any drift on an item changed less than `settleMs` ago: the open reservations are read from an index that may
 *   lag the table by a moment;
 * - over-reservation (`reserved` above what the open reservations hold): a PENDING reservation that TTL has just
 *   deleted keeps its units until the stream consumer gives them back (one transaction, seconds later). Correcting
 *   in between would let that consumer release the units twice. So it is only corrected when a previous run saw the
 *   same drift at the same item version at least `confirmAfterMs` earlier (nothing touched the item in between).
 * Under-reservation (units promised that the item does not count: an oversell risk) cannot come from a write in
 * flight and is corrected as soon as the item has settled.
 */

export interface DriftSighting {
  version: number;
  reserved: number;
  expectedReserved: number;
  seenAt: string;
}

export interface StockDrift {
  locationId: string;
  sku: string;
  /** The shard of a sharded location+SKU (absent: shard 0). */
  shard?: number;
  version: number;
  onHand: number;
  safetyStock: number;
  reserved: number;
  expectedReserved: number;
  available: number;
  expectedAvailable: number;
  /** `reserved - expectedReserved`: positive, units held for nobody; negative, promised units the item does not count. */
  reservedDrift: number;
  /** The open reservations hold more units than are on hand: sold beyond the shelf, for a person to resolve. */
  oversold: boolean;
}

export interface StockCorrection {
  reserved: number;
  available: number;
  unreserved: number;
}

export type ReconcileDecision =
  | { kind: 'inStep' }
  | { kind: 'unsettled'; drift: StockDrift }
  | { kind: 'watch'; drift: StockDrift; sighting: DriftSighting }
  | { kind: 'correct'; drift: StockDrift; correction: StockCorrection; expectedVersion: number };

export interface ReconcileTiming {
  now: Date;
  settleMs: number;
  confirmAfterMs: number;
  /**
   * Whether every PENDING reservation is known to be in the open-reservation index (reservations written before the
   * index existed are added by a one-time backfill). Until then a reservation the index misses would look like
   * over-reservation: it is watched, never corrected, so the reconciler can never free units someone holds.
   */
  indexComplete?: boolean;
}

/** A stock item's key: its location+SKU, and its shard when it is not shard 0 (stock-shards.ts). */
export const pairKey = (locationId: string, sku: string, shard = 0): string => (shard === 0 ? `${locationId}\u0000${sku}` : `${locationId}\u0000${sku}\u0000${shard}`);

/**
 * Units held per stock item (`pairKey`) by the lines of open reservations: a line's units on the shards it recorded
 * taking them from (`from`), else on shard 0.
 */
export function heldByPair(lines: Iterable<Pick<ReservationLine, 'locationId' | 'sku' | 'quantity' | 'from'>>): Map<string, number> {
  const held = new Map<string, number>();
  for (const line of lines) {
    for (const part of line.from ?? [{ shard: 0, quantity: line.quantity }]) {
      const key = pairKey(line.locationId, line.sku, part.shard);
      held.set(key, (held.get(key) ?? 0) + part.quantity);
    }
  }
  return held;
}

/** The item's drift against `held` units of open reservations, or undefined when it is in step (pure). */
export function driftOf(stock: StockLevel, held: number): StockDrift | undefined {
  const expectedAvailable = stock.onHand - held - stock.safetyStock;
  if (stock.reserved === held && stock.available === expectedAvailable) return undefined;
  return {
    locationId: stock.locationId,
    sku: stock.sku,
    ...(stock.shard ? { shard: stock.shard } : {}),
    version: stock.version,
    onHand: stock.onHand,
    safetyStock: stock.safetyStock,
    reserved: stock.reserved,
    expectedReserved: held,
    available: stock.available,
    expectedAvailable,
    reservedDrift: stock.reserved - held,
    oversold: held > stock.onHand,
  };
}

/**
 * What the reconciler does with one stock item, given the units its open reservations hold and what an earlier run
 * saw of it (pure). A correction writes `reserved` = the open reservations' units and `available` (and the stored
 * `unreserved`) to match, guarded by the item's version.
 */
export function decideReconcile(stock: StockLevel, held: number, previous: DriftSighting | undefined, timing: ReconcileTiming): ReconcileDecision {
  const drift = driftOf(stock, held);
  if (!drift) return { kind: 'inStep' };
  const now = timing.now.getTime();
  if (now - Date.parse(stock.updatedAt) < timing.settleMs) return { kind: 'unsettled', drift };
  const correct = (): ReconcileDecision => ({
    kind: 'correct',
    drift,
    correction: { reserved: held, available: drift.expectedAvailable, unreserved: stock.onHand - held },
    expectedVersion: stock.version,
  });
  if (drift.reservedDrift <= 0) return correct();
  const confirmed =
    timing.indexComplete !== false &&
    previous !== undefined &&
    previous.version === stock.version &&
    previous.reserved === stock.reserved &&
    previous.expectedReserved === held &&
    now - Date.parse(previous.seenAt) >= timing.confirmAfterMs;
  if (confirmed) return correct();
  if (previous && previous.version === stock.version && previous.reserved === stock.reserved && previous.expectedReserved === held) {
    return { kind: 'watch', drift, sighting: previous };
  }
  return { kind: 'watch', drift, sighting: { version: stock.version, reserved: stock.reserved, expectedReserved: held, seenAt: timing.now.toISOString() } };
}

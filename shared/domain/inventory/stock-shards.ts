import type { Adjustment } from './schemas.ts';
import { applyAdjustment, emptyLevel, isPlainDelta, type AdjustmentOutcome, type StockLevel } from './stock.ts';


/**
 * Sharded stock counters (pure maths). One location+SKU's stock item takes at most ~1,000 writes a second (one
 * DynamoDB partition), ~500 transactional reservations. A hot location+SKU can be split into N shards, each a stock
 * item of its own partition with its own onHand / reserved / available, each guarded by the same conditions as an
 * unsharded item: a reservation's condition is on the shard it takes from, so no shard (and so no location) oversells.
 *
 * - Shard 0 is the item every location+SKU always had; it carries the shard count and the safety stock.
 * - A reservation takes its units from the shard its id hashes to, and the next ones on a shortage; a line larger than
 *   one shard's availability takes units from several shards in the same transaction (`planTakes`).
 * - A count (`set`) or a change of the shard count rewrites every shard, spreading the available units evenly
 *   (`spreadShards`); a movement goes to one shard (`deltaShard`); a rebalance moves available units between shards
 *   (`planRebalance`). Every plan keeps each shard's onHand at or above its reserved units, and the sums.
 */
export const MAX_STOCK_SHARDS = 32;

/** Units one reservation line takes from one shard. */
export interface ShardTake {
  shard: number;
  quantity: number;
}

/** One shard's counts as stored (`available` may be negative on shard 0: a count below the safety stock). */
export interface ShardCounts {
  shard: number;
  onHand: number;
  reserved: number;
  safetyStock: number;
  available: number;
}

/** The shard a reservation id starts from (FNV-1a of the id, modulo the count). */
export function shardStart(reservationId: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < reservationId.length; i++) hash = Math.imul(hash ^ reservationId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % Math.max(1, count);
}

export type TakePlan =
  | { kind: 'take'; takes: ShardTake[]; /** per take: the `available` its shard must have (the condition) */ minAvailable: number[] }
  | { kind: 'short'; /** what the shards could give this reservation altogether */ available: number };

/**
 * Which shards one reservation line takes its units from (pure). Starting at the shard the reservation id hashes to:
 * the first shard that can give the whole line alone (one item written); else units from each shard in turn, as much
 * as it can give, until the line is covered. `margin` is what each shard must keep beyond the units taken (a channel's
 * hold-back: the line's `minAvailable - quantity`, see minimumAvailableFor), so every shard taken from keeps it back:
 * a sharded location holds back at least as much as an unsharded one would, never less.
 */
export function planTakes(reservationId: string, quantity: number, shards: ReadonlyArray<Pick<ShardCounts, 'shard' | 'available'>>, margin = 0): TakePlan {
  if (shards.length === 0) return { kind: 'short', available: 0 };
  const ordered = [...shards].sort((a, b) => a.shard - b.shard);
  const start = shardStart(reservationId, ordered.length);
  const turn = ordered.map((_, i) => ordered[(start + i) % ordered.length]!);
  const canGive = (shard: Pick<ShardCounts, 'available'>) => Math.max(0, shard.available - margin);
  const whole = turn.find((shard) => canGive(shard) >= quantity);
  if (whole) return { kind: 'take', takes: [{ shard: whole.shard, quantity }], minAvailable: [quantity + margin] };
  const total = turn.reduce((sum, shard) => sum + canGive(shard), 0);
  if (total < quantity) return { kind: 'short', available: total };
  const takes: ShardTake[] = [];
  let left = quantity;
  for (const shard of turn) {
    const give = Math.min(left, canGive(shard));
    if (give <= 0) continue;
    takes.push({ shard: shard.shard, quantity: give });
    left -= give;
    if (left === 0) break;
  }
  return { kind: 'take', takes, minAvailable: takes.map((take) => take.quantity + margin) };
}

/** The location+SKU's totals over its shards: what reads, the projection and the API show. */
export function sumShards(shards: ReadonlyArray<Omit<ShardCounts, 'shard'>>): Omit<ShardCounts, 'shard'> {
  return shards.reduce(
    (sum, s) => ({ onHand: sum.onHand + s.onHand, reserved: sum.reserved + s.reserved, safetyStock: sum.safetyStock + s.safetyStock, available: sum.available + s.available }),
    { onHand: 0, reserved: 0, safetyStock: 0, available: 0 },
  );
}

export type SpreadPlan =
  | { kind: 'spread'; shards: ShardCounts[] }
  | { kind: 'refused'; code: 'BELOW_RESERVED' | 'SHARDS_IN_USE'; message: string };

/**
 * A rewrite of every shard (pure): `onHand` units and `safetyStock` over `count` shards, the shards' reserved units
 * staying where their reservations took them. Available units are spread evenly (the first shards take the remainder);
 * the safety stock lives on shard 0, and so does a shortfall below it (negative available). Refused when on-hand would
 * be below the reserved units, or when a shard being removed still holds reserved units (its reservations must finish
 * first: they give their units back to exactly that shard).
 */
export function spreadShards(current: ReadonlyArray<Pick<ShardCounts, 'shard' | 'reserved'>>, onHand: number, safetyStock: number, count: number): SpreadPlan {
  if (!Number.isInteger(count) || count < 1 || count > MAX_STOCK_SHARDS) throw new Error(`a shard count is 1 to ${MAX_STOCK_SHARDS}, not ${count}`);
  const reservedOf = new Map(current.map((s) => [s.shard, s.reserved]));
  const held = [...reservedOf.entries()].filter(([shard, reserved]) => shard >= count && reserved > 0);
  if (held.length) {
    const units = held.reduce((sum, [, reserved]) => sum + reserved, 0);
    return { kind: 'refused', code: 'SHARDS_IN_USE', message: `shards ${held.map(([shard]) => shard).join(', ')} still hold ${units} reserved unit(s); lower the shard count when their reservations have finished` };
  }
  const reserved = Array.from({ length: count }, (_, k) => reservedOf.get(k) ?? 0);
  const totalReserved = reserved.reduce((a, b) => a + b, 0);
  if (onHand < totalReserved) return { kind: 'refused', code: 'BELOW_RESERVED', message: `on-hand ${onHand} is below the ${totalReserved} unit(s) reserved for orders` };
  const free = onHand - totalReserved - safetyStock;
  const shards = reserved.map((r, k): ShardCounts => {
    const available = free >= 0 ? Math.floor(free / count) + (k < free % count ? 1 : 0) : k === 0 ? free : 0;
    const safety = k === 0 ? safetyStock : 0;
    return { shard: k, onHand: r + safety + available, reserved: r, safetyStock: safety, available };
  });
  return { kind: 'spread', shards };
}

export type DeltaPlan = { kind: 'shard'; shard: number } | { kind: 'rewrite' };

/**
 * Where a movement goes (pure): an increase to the emptiest shard (least available; the lowest index on a tie); a
 * decrease to the shard with the most available if that shard can take it without going below 0 available, else a
 * rewrite of every shard (a count of the new total), which spreads what is left and refuses what no shard layout could
 * hold.
 */
export function deltaShard(shards: ReadonlyArray<Pick<ShardCounts, 'shard' | 'available'>>, delta: number): DeltaPlan {
  const ordered = [...shards].sort((a, b) => a.shard - b.shard);
  if (ordered.length === 0) return { kind: 'shard', shard: 0 };
  if (delta >= 0) return { kind: 'shard', shard: ordered.reduce((min, s) => (s.available < min.available ? s : min)).shard };
  const fullest = ordered.reduce((max, s) => (s.available > max.available ? s : max));
  return fullest.available >= -delta ? { kind: 'shard', shard: fullest.shard } : { kind: 'rewrite' };
}

/** A net move of available units onto (+) or off (-) a shard; a rebalance's moves sum to 0. */
export interface ShardMove {
  shard: number;
  units: number;
}

/**
 * A rebalance (pure): moves of available units that leave the shards as a spread of the same total would (see
 * spreadShards: even, the first shards taking the remainder; a total below 0, a count below the safety stock, all on
 * shard 0), or none when every shard is within one unit of that. A shortfall on shard 0 is covered first: units freed
 * on other shards (a release) must not be sold while the location is below its safety stock. A move changes a shard's
 * onHand and available together, and a shard gives only down to its target (never below 0 available), so no shard
 * goes below its reserved units.
 */
export function planRebalance(shards: ReadonlyArray<Pick<ShardCounts, 'shard' | 'available'>>): ShardMove[] {
  const ordered = [...shards].sort((a, b) => a.shard - b.shard);
  if (ordered.length < 2) return [];
  const total = ordered.reduce((sum, s) => sum + s.available, 0);
  const n = ordered.length;
  const target = ordered.map((_, i) => (total >= 0 ? Math.floor(total / n) + (i < total % n ? 1 : 0) : i === 0 ? total : 0));
  const uneven = ordered.some((s, i) => (s.available < 0 && target[i]! > s.available) || Math.abs(s.available - target[i]!) > 1);
  if (!uneven) return [];
  return ordered.flatMap((s, i) => (s.available !== target[i] ? [{ shard: s.shard, units: target[i]! - s.available }] : []));
}

/** True when a shard is dry (or shard 0 short of its safety stock) while the others hold units to share. */
export function needsRebalance(shards: ReadonlyArray<Pick<ShardCounts, 'shard' | 'available'>>): boolean {
  return shards.some((s) => s.available <= 0) && planRebalance(shards).length > 0;
}

/** A stock level's shard (0: the item every location+SKU has) and its location+SKU's shard count. */
export const shardOf = (level: { shard?: number }): number => level.shard ?? 0;
export const shardCountOf = (level: { shardCount?: number } | undefined): number => level?.shardCount ?? 1;

export type ShardedAdjustmentPlan =
  | Exclude<AdjustmentOutcome, { kind: 'applied' }>
  | { kind: 'refused'; code: 'SHARDS_IN_USE'; field: 'shards'; message: string }
  /** A movement added to one shard (its own condition keeps its onHand at or above its reserved units). */
  | { kind: 'add'; shard: number; delta: number }
  /** Every shard rewritten in one transaction, each guarded by the reserved units and safety stock it was read with. */
  | { kind: 'rewrite'; shards: ShardCounts[]; count: number };

/**
 * An adjustment of a sharded location+SKU, or one that changes its shard count (pure), from all its shards as read
 * (empty: no item yet). The location+SKU's totals decide it as they would an unsharded item (sequence on shard 0,
 * on-hand never below the reserved units of all shards): a plain movement goes to one shard (deltaShard); a count, a
 * safety-stock change, a new shard count, a sequenced movement or a decrease no one shard can take rewrites every
 * shard (spreadShards).
 */
export function planShardedAdjustment(tenantId: string, shards: readonly StockLevel[], adjustment: Adjustment & { shards?: number }, now: Date): ShardedAdjustmentPlan {
  const zero = shards.find((s) => shardOf(s) === 0);
  const total = sumShards(shards);
  const current: StockLevel = zero ? { ...zero, onHand: total.onHand, reserved: total.reserved, available: total.available } : emptyLevel(tenantId, adjustment.locationId, adjustment.sku, now);
  const outcome = applyAdjustment(current, adjustment, now);
  if (outcome.kind !== 'applied') return outcome;
  const count = adjustment.shards ?? shardCountOf(zero);
  if (zero && isPlainDelta(adjustment) && adjustment.sequence === undefined && count === shards.length) {
    const target = deltaShard(shards.map((s) => ({ shard: shardOf(s), available: s.available })), adjustment.delta!);
    if (target.kind === 'shard') return { kind: 'add', shard: target.shard, delta: adjustment.delta! };
  }
  const spread = spreadShards(shards.map((s) => ({ shard: shardOf(s), reserved: s.reserved })), outcome.level.onHand, outcome.level.safetyStock, count);
  if (spread.kind === 'spread') return { kind: 'rewrite', shards: spread.shards, count };
  return spread.code === 'SHARDS_IN_USE'
    ? { kind: 'refused', code: 'SHARDS_IN_USE', field: 'shards', message: spread.message }
    : { kind: 'rejected', code: 'BELOW_RESERVED', field: adjustment.set !== undefined ? 'set' : 'delta', message: spread.message };
}

import { channelAvailable, minimumAvailableFor } from './stock.ts';
import type { HoldBack } from './schemas.ts';

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
 * as it can give, until the line is covered. A channel's hold-back applies per shard (each shard keeps it back), so a
 * sharded location holds back at least as much as an unsharded one would, never less.
 */
export function planTakes(reservationId: string, quantity: number, shards: ReadonlyArray<Pick<ShardCounts, 'shard' | 'available'>>, holdBack?: HoldBack): TakePlan {
  if (shards.length === 0) return { kind: 'short', available: 0 };
  const ordered = [...shards].sort((a, b) => a.shard - b.shard);
  const start = shardStart(reservationId, ordered.length);
  const turn = ordered.map((_, i) => ordered[(start + i) % ordered.length]!);
  const canGive = (shard: Pick<ShardCounts, 'available'>) => channelAvailable(shard.available, holdBack);
  const whole = turn.find((shard) => canGive(shard) >= quantity);
  if (whole) return { kind: 'take', takes: [{ shard: whole.shard, quantity }], minAvailable: [minimumAvailableFor(quantity, holdBack)] };
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
  return { kind: 'take', takes, minAvailable: takes.map((take) => minimumAvailableFor(take.quantity, holdBack)) };
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
 * A rebalance (pure): moves of available units that leave the shards as even as a spread would (the first shards
 * take the remainder), or none when they are already within one unit of it. Only units above 0 move: a shard whose
 * available is negative (below the safety stock on shard 0) keeps its shortfall. Each move keeps the shard's onHand at
 * or above its reserved units, as a move changes onHand and available together and never takes available below 0.
 */
export function planRebalance(shards: ReadonlyArray<Pick<ShardCounts, 'shard' | 'available'>>): ShardMove[] {
  // A shard below 0 (shard 0 counted below its safety stock) neither gives nor takes: it keeps its shortfall.
  const ordered = shards.filter((s) => s.available >= 0).sort((a, b) => a.shard - b.shard);
  if (ordered.length < 2) return [];
  const total = ordered.reduce((sum, s) => sum + s.available, 0);
  const n = ordered.length;
  const target = ordered.map((_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
  if (ordered.every((s, i) => Math.abs(s.available - target[i]!) <= 1)) return [];
  return ordered.flatMap((s, i) => (s.available !== target[i] ? [{ shard: s.shard, units: target[i]! - s.available }] : []));
}

/** True when a shard is dry while the others hold enough to share: worth a rebalance. */
export function needsRebalance(shards: ReadonlyArray<Pick<ShardCounts, 'shard' | 'available'>>): boolean {
  if (shards.length < 2) return false;
  const spare = shards.map((s) => Math.max(0, s.available));
  const total = spare.reduce((a, b) => a + b, 0);
  return total >= shards.length && Math.min(...spare) === 0;
}

import { boundedExplanation, planParcels, type PlannedParcel } from '#domain/orders/planning';
import type { Order } from '#domain/orders/order';
import {
  allocateWindow,
  dueWindow,
  MAX_WINDOW_ORDERS,
  RELEASE_LEASE_MS,
  releaseExplanation,
  releaseStart,
  windowBatch,
  type OrderShare,
  type WindowEntry,
} from '#domain/orders/release-window';
import { getSkuNetwork } from '../inventory/stock-queries.ts';
import { routingScopeOf } from '../routing/routing-scope.ts';
import { rateParcel, reserveAndAllocate, type FulfillmentDeps, type FulfillmentState } from './fulfillment.ts';
import type { StuckOrderFinder } from './fulfillment-ports.ts';
import { startFulfillment, type LifecycleDeps } from './lifecycle.ts';
import { destinationOf } from './release-hold.ts';

/** A window is claimed once: the first release to put its claim (or to find the last claim's lease run out) takes it. */
export interface ReleaseClaims {
  claim(tenantId: string, windowId: string, now: Date, until: Date): Promise<boolean>;
}

export type ReleaseDeps = FulfillmentDeps & LifecycleDeps & { stuck: Pick<StuckOrderFinder, 'tenantIds' | 'stuck'>; claims: ReleaseClaims };

export interface WindowRelease {
  outcome: 'none-due' | 'claimed-elsewhere' | 'released';
  windowId?: string;
  /** Orders allocated by the window's joint plan. */
  allocated: number;
  /** Orders the joint write could not take (stock taken meanwhile, the order moved, too large): routed alone by the workflow. */
  handedOff: number;
}

export interface ReleaseResult {
  tenants: number;
  windows: number;
  allocated: number;
  handedOff: number;
  failed: Array<{ tenantId: string; error: unknown }>;
}

/** The scheduled release, every minute: each tenant's due window, claimed, allocated together. One tenant's failure stops no other. */
export async function releaseWindows(deps: ReleaseDeps): Promise<ReleaseResult> {
  const tenants = await deps.stuck.tenantIds();
  const result: ReleaseResult = { tenants: tenants.length, windows: 0, allocated: 0, handedOff: 0, failed: [] };
  for (const tenantId of tenants) {
    try {
      const released = await releaseTenantWindow(deps, tenantId);
      if (released.outcome === 'released') result.windows++;
      result.allocated += released.allocated;
      result.handedOff += released.handedOff;
    } catch (error) {
      result.failed.push({ tenantId, error });
    }
  }
  return result;
}

/**
 * One tenant's due window: read its waiting orders (one query of the status index), claim the window (one conditional
 * put), plan every order's candidates over the shared stock, allocate them together (batch allocator), and write each
 * order's allocation in its own transaction with the same guarded stock conditions as the fulfil step (never
 * oversell; a window too large for one transaction is split by group, and a group is one order here). What a write
 * cannot take goes to the workflow as a claimed attempt of its own, after its window: it is never held again.
 * A crash after the claim leaves the orders WAITING_RELEASE: the next release takes them once the claim's lease has
 * run out, or the sweeper re-drives each alone once the window is overdue.
 */
export async function releaseTenantWindow(deps: ReleaseDeps, tenantId: string): Promise<WindowRelease> {
  const now = deps.clock.now();
  // Waiting orders, oldest first; the window's orders are among the first MAX_WINDOW_ORDERS (waits are at most an hour).
  const waiting = await deps.stuck.stuck(tenantId, ['WAITING_RELEASE'], new Date(now.getTime() + 24 * 3600_000), MAX_WINDOW_ORDERS);
  const window = dueWindow(waiting, now);
  if (!window) return { outcome: 'none-due', allocated: 0, handedOff: 0 };
  if (!(await deps.claims.claim(tenantId, window.windowId, now, new Date(now.getTime() + RELEASE_LEASE_MS)))) {
    return { outcome: 'claimed-elsewhere', windowId: window.windowId, allocated: 0, handedOff: 0 };
  }
  const planned = await planWindow(deps, tenantId, window.windowId, window.orders, now);
  let allocated = 0;
  const handOff: string[] = [...planned.handOff];
  for (const entry of planned.orders) {
    const written = await writeOrder(deps, entry, now).catch(() => 'HAND_OFF' as const);
    if (written === 'ALLOCATED') allocated++;
    else if (written === 'HAND_OFF') handOff.push(entry.order.orderId);
  }
  let handedOff = 0;
  for (const orderId of handOff) {
    const outcome = await startFulfillment(deps, { tenantId, orderId, correlationId: `release-${window.windowId}-${orderId}`, reason: 'released with its window, routed alone', force: true });
    if (outcome === 'started') handedOff++;
  }
  return { outcome: 'released', windowId: window.windowId, allocated, handedOff };
}

interface PlannedOrder {
  order: Order;
  attempt: number;
  run: string;
  expectedVersion: number;
  parcels: PlannedParcel[];
  explanation: string[];
}

/** Every order's candidates over the shared stock, the joint plan, and each order's parcels from its share of it. */
async function planWindow(deps: ReleaseDeps, tenantId: string, windowId: string, waiting: readonly Order[], now: Date): Promise<{ orders: PlannedOrder[]; handOff: string[] }> {
  const skuIds = [...new Set(waiting.flatMap((o) => o.lines.map((l) => l.sku)))];
  const channels = [...new Set(waiting.map((o) => o.channel))];
  const day = now.toISOString().slice(0, 10);
  const [skus, locations, rules, rateTable, shippedToday, settings, networks] = await Promise.all([
    deps.network.skus(tenantId, skuIds),
    deps.network.locations(tenantId),
    deps.settings.routingRules(tenantId),
    deps.settings.rateTable(tenantId),
    deps.network.shipmentsToday(tenantId, day),
    deps.settings.routingSettings?.(tenantId) ?? { customRegions: [] },
    Promise.all(channels.map(async (channel) => [channel, await getSkuNetwork({ networks: deps.networks, channels: deps.channels }, tenantId, skuIds, channel)] as const)),
  ]);
  const networkOf = new Map(networks);
  const handOff: string[] = [];
  const entries: Array<WindowEntry & { start: Extract<ReturnType<typeof releaseStart>, { kind: 'continue' }>; planInput: Parameters<typeof planParcels>[0] }> = [];
  for (const order of waiting) {
    const start = releaseStart(order, windowId, now);
    if (start.kind === 'stop') continue;
    try {
      const destination = await destinationOf(deps, order);
      const scope = await routingScopeOf(deps, order, destination, locations, settings);
      const planInput = {
        order: start.order,
        shipments: [],
        attempt: start.attempt,
        round: 1,
        excluded: [],
        skus,
        locations,
        networks: networkOf.get(order.channel)!,
        rules,
        scope,
        rateTable,
        destination,
        shippedToday,
        now,
        clockMs: () => performance.now(),
      };
      const { record } = planParcels(planInput);
      if (!record) handOff.push(order.orderId);
      else entries.push({ order, record, start, planInput });
    } catch {
      // An order the engine cannot plan (an address off the map, no carrier): the workflow fails it with its reason.
      handOff.push(order.orderId);
    }
  }
  if (!entries.length) return { orders: [], handOff };
  const batch = windowBatch(windowId, entries, rules);
  const { plan, shares } = allocateWindow(batch, () => performance.now());
  const ids = entries.map((e) => e.order.orderId);
  const orders = entries.map(({ order, start, planInput }): PlannedOrder => {
    // The order routed by the per-order engine over exactly its share: the same parcels, explanation and rules.
    const share: OrderShare = shares.get(order.orderId) ?? [];
    const own = planParcels({ ...planInput, networks: share });
    for (const locationId of own.plannedAt) deps.network.notePlanned(tenantId, day, locationId);
    return {
      order: start.order,
      attempt: start.attempt,
      run: start.run,
      expectedVersion: start.expectedVersion,
      parcels: own.parcels,
      explanation: boundedExplanation([...releaseExplanation(order, ids, plan, now), ...own.explanation]),
    };
  });
  return { orders, handOff };
}

/** One order's allocation, rated and written in one transaction (reservations with guarded stock, shipments, order). */
async function writeOrder(deps: ReleaseDeps, planned: PlannedOrder, now: Date): Promise<'ALLOCATED' | 'HAND_OFF' | 'MOVED'> {
  const rated = await Promise.all(planned.parcels.map((parcel) => rateParcel(deps, parcel)));
  const state: FulfillmentState = {
    tenantId: planned.order.tenantId,
    orderId: planned.order.orderId,
    channel: planned.order.channel,
    attempt: planned.attempt,
    correlationId: planned.run,
    run: planned.run,
    excluded: [],
    rounds: 1,
    outcome: 'PLANNED',
    parcels: [],
    explanation: planned.explanation,
  };
  const written = await reserveAndAllocate(deps, state, { order: planned.order, shipments: [] }, rated, planned.expectedVersion, now);
  if (written.outcome === 'ALLOCATED') return 'ALLOCATED';
  // SUPERSEDED cannot happen (the order is ROUTING under this release in memory); the others mean: route it alone.
  return written.outcome === 'CONFLICT' || written.outcome === 'SHORT' || written.outcome === 'TOO_LARGE' ? 'HAND_OFF' : 'MOVED';
}

import { stockArrivedFor } from '#domain/orders/attempts';
import { IN_FLIGHT_STATUSES, type OrderStatus } from '#domain/orders/order';
import { overdueForSweep } from '#domain/orders/release-window';
import { getSkuNetwork } from '../inventory/stock-queries.ts';
import type { ChannelStore, SkuNetworkStore } from '../ports.ts';
import type { StuckOrderFinder } from './fulfillment-ports.ts';
import { startFulfillment, type LifecycleDeps } from './lifecycle.ts';

/** Orders accepted or routing for longer than this are re-driven by the sweeper. */
export const STUCK_AFTER_MS = 10 * 60_000;
/** Orders looked at per tenant and kind in one run (the age filter applies first). */
export const SWEEP_PAGE = 100;

const WAITING: readonly OrderStatus[] = ['BACKORDERED', 'PARTIALLY_ALLOCATED'];

export interface SweepResult {
  tenants: number;
  /** Orders in flight (ACCEPTED, ROUTING, or WAITING_RELEASE past its window) past the deadline that got a new attempt. */
  redriven: number;
  /** Waiting orders whose stock had arrived without waking them (a lost StockChanged). */
  woken: number;
  /** Orders the run could not handle; each is retried next run, none stops the others. */
  failed: Array<{ tenantId: string; orderId: string; error: unknown }>;
}

export type SweepDeps = LifecycleDeps & { stuck: StuckOrderFinder; networks: SkuNetworkStore; channels: ChannelStore };

/**
 * The scheduled sweeper, for what a lost event or a crash can orphan:
 * - orders ACCEPTED or ROUTING unchanged past the deadline get a new attempt (a fresh execution name, claimed on the order);
 * - orders WAITING_RELEASE whose window has been due for longer than the deadline get one too (never before);
 * - orders BACKORDERED or PARTIALLY_ALLOCATED unchanged past the deadline, whose stock has arrived, are routed again.
 * One bad order never stops the run for the others or for other tenants: its error is reported in the result.
 */
export async function sweepStuckOrders(deps: SweepDeps): Promise<SweepResult> {
  const before = new Date(deps.clock.now().getTime() - STUCK_AFTER_MS);
  const tenants = await deps.stuck.tenantIds();
  const result: SweepResult = { tenants: tenants.length, redriven: 0, woken: 0, failed: [] };
  for (const tenantId of tenants) {
    const guard = async (orderId: string, step: () => Promise<void>) => {
      try {
        await step();
      } catch (error) {
        result.failed.push({ tenantId, orderId, error });
      }
    };
    let inFlight: Awaited<ReturnType<StuckOrderFinder['stuck']>> = [];
    let waiting: typeof inFlight = [];
    await guard('*', async () => {
      [inFlight, waiting] = await Promise.all([deps.stuck.stuck(tenantId, [...IN_FLIGHT_STATUSES], before, SWEEP_PAGE), deps.stuck.stuck(tenantId, WAITING, before, SWEEP_PAGE)]);
    });
    // Issue 17: an order waiting for its release window is the release's until the window is overdue by the deadline
    // (a release that crashed and whose claim never ran out); then it is re-driven alone, and never held again.
    await guard('*', async () => {
      const parked = await deps.stuck.stuck(tenantId, ['WAITING_RELEASE'], before, SWEEP_PAGE);
      inFlight = [...inFlight, ...parked.filter((order) => overdueForSweep(order, deps.clock.now(), STUCK_AFTER_MS))];
    });
    for (const order of inFlight) {
      await guard(order.orderId, async () => {
        const outcome = await startFulfillment(deps, { tenantId, orderId: order.orderId, correlationId: `sweep-${order.orderId}-${order.version}`, reason: 'stuck past its deadline', force: true });
        if (outcome === 'started') result.redriven++;
      });
    }
    for (const order of waiting) {
      await guard(order.orderId, async () => {
        const skus = [...new Set(order.backorderedLines.map((l) => l.sku))];
        const networks = await getSkuNetwork(deps, tenantId, skus, order.channel);
        if (!stockArrivedFor(order, networks)) return;
        const outcome = await startFulfillment(deps, { tenantId, orderId: order.orderId, correlationId: `sweep-${order.orderId}-${order.version}`, reason: 'stock arrived while it waited' });
        if (outcome === 'started') result.woken++;
      });
    }
  }
  return result;
}

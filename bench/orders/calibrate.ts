/**
 * The calibration phase of bench:orders: orders placed one at a time, each waited for until it leaves ACCEPTED and
 * ROUTING before the next. A Lambda instance runs one invocation at a time on its own share of a CPU, so the wall
 * time of an invocation here, with nothing else in flight, is the closer local figure for what Lambda bills; the
 * wall time under the load (32 in flight on two cores) mostly measures waiting for this machine's CPU.
 */
import { DEMO_LOCATIONS, DEMO_SKUS, SCARCE_SKUS } from '../../infra/local/tools/demo-network.ts';
import type { DomApi } from '../../infra/local/tools/api-client.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Places `count` orders one after the other (the load's kind: 1-3 lines of 1-2 units); the ids it placed. */
export async function placeOneAtATime(api: DomApi, count: number, timeoutMs = 30_000): Promise<string[]> {
  const skus = DEMO_SKUS.filter((s) => !SCARCE_SKUS.includes(s.sku) && s.sku !== 'RUG-5X8').map((s) => s.sku);
  const zips = [...new Set(DEMO_LOCATIONS.map((l) => l.postalCode))];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const lines = [skus[i % skus.length]!, ...(i % 2 ? [skus[(i * 7 + 3) % skus.length]!] : [])]
      .filter((sku, n, all) => all.indexOf(sku) === n)
      .map((sku, n) => ({ lineId: `l${n + 1}`, sku, quantity: 1 + (i % 2) }));
    const placed = await api.request<{ orderId: string }>('POST', '/orders', { channel: 'web', customer: { id: `calibrate-${i}` }, shipTo: { postalCode: zips[i % zips.length], country: 'US' }, lines });
    if (placed.status !== 202) throw new Error(`calibration order refused: ${placed.status} ${JSON.stringify(placed.body)}`);
    ids.push(placed.body.orderId);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const order = await api.ok<{ status: string }>('GET', `/orders/${placed.body.orderId}`);
      if (!['ACCEPTED', 'ROUTING'].includes(order.status)) break;
      if (Date.now() > deadline) throw new Error(`calibration order ${placed.body.orderId} still ${order.status}`);
      await sleep(50);
    }
  }
  return ids;
}

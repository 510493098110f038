/**
 * `npx dom simulate --peak` (issue 15): a synthetic peak day driven through the API of the local cloud or a deployed
 * stack, reported with peak-report.ts. Talks HTTP only (no adapters), so it runs against any deployment.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DomApi } from '../local/tools/api-client.ts';
import type { LoadResult } from '../../bench/orders/load.ts';
import { peakReport, type PeakOrder } from './peak-report.ts';

/**
 * A synthetic peak: `ordersPerMinute` for `minutes`, sent on a fixed schedule by the order benchmark's load generator
 * (bench/orders/load.ts, in a child process: an open loop, as independent shoppers arrive), then each order read back
 * until it settles (or `settleSeconds` pass) and the KPIs computed from what the API shows.
 */
export async function runPeak(target: { url: string; key: string }, options: { ordersPerMinute: number; minutes: number; settleSeconds?: number; log?: (line: string) => void }) {
  const log = options.log ?? (() => {});
  const orders = Math.round(options.ordersPerMinute * options.minutes);
  const loadScript = fileURLToPath(new URL('../../bench/orders/load.ts', import.meta.url));
  const child = fork(loadScript, ['--orders', String(orders), '--rate', String(options.ordersPerMinute / 60), '--concurrency', '64', '--run', `peak-${Date.now()}`], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.send(target);
  log(`peak: ${orders} orders at ${options.ordersPerMinute}/min for ${options.minutes} min against ${target.url}`);
  let result: LoadResult | undefined;
  child.on('message', (message) => {
    if ((message as { accepted?: number }).accepted !== undefined) result = message as LoadResult;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (!result) throw new Error(`the load generator stopped (exit ${code}) before reporting`);
  log(`peak: ${result.accepted} accepted, ${result.failed.length} refused; waiting for the orders to settle`);

  const api = new DomApi(target.url, target.key);
  const deadline = Date.now() + (options.settleSeconds ?? 120) * 1000;
  const settled = new Map<string, PeakOrder>();
  try {
    let pending = [...result.orderIds];
    while (pending.length && Date.now() < deadline) {
      const next: string[] = [];
      for (let i = 0; i < pending.length; i += 16) {
        await Promise.all(
          pending.slice(i, i + 16).map(async (orderId) => {
            const response = await api.request<PeakOrder & { createdAt?: string }>('GET', `/orders/${orderId}`);
            if (response.status === 200 && !['ACCEPTED', 'ROUTING'].includes(response.body.status)) settled.set(orderId, response.body);
            else next.push(orderId);
          }),
        );
      }
      pending = next;
      if (pending.length) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    return peakReport({ ordersPerMinute: options.ordersPerMinute, minutes: options.minutes, load: result, settled: [...settled.values()], unsettled: pending.length });
  } finally {
    api.close();
  }
}

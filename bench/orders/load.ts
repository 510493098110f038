// The load generator of bench/orders.ts, run in its own process (forked) so the local cloud keeps its event loop, as
// on AWS the callers are not the API. POSTs `--orders` orders with at most `--concurrency` in flight and reports the
// accept latencies to the parent over IPC. With `--rate`, orders are sent on a fixed schedule (an open loop, as
// independent clients arrive) and each latency counts from the order's scheduled time, so a slow answer that delays
// the next send is not hidden. The API's URL and key come with the first message (the parent forks this process
// before it starts the cloud, so this process keeps the priority it started with).
import { DomApi } from '../../infra/local/tools/api-client.ts';
import { parseArgs } from 'node:util';
import { DEMO_LOCATIONS, DEMO_SKUS, SCARCE_SKUS } from '../../infra/local/tools/demo-network.ts';

export interface LoadResult {
  accepted: number;
  repeated: number;
  failed: Array<{ status: number; body: string }>;
  latenciesMs: number[];
  /** Latencies of the first `--warmup` orders, sent the same way but reported apart (JIT and caches still cold). */
  warmupLatenciesMs: number[];
  orderIds: string[];
  startedAt: number;
  endedAt: number;
  /** CPU the load generator used placing the orders (user + system), ms. */
  cpuMs?: number;
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    key: { type: 'string' },
    orders: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    rate: { type: 'string' },
    warmup: { type: 'string', default: '0' },
    run: { type: 'string', default: 'bench' },
  },
});

const target = values.url
  ? { url: values.url, key: values.key! }
  : await new Promise<{ url: string; key: string }>((resolve) => process.once('message', (message) => resolve(message as { url: string; key: string })));
const api = new DomApi(target.url, target.key);
const warmup = Number(values.warmup);
const total = warmup + Number(values.orders);
const concurrency = Number(values.concurrency);
const rate = values.rate ? Number(values.rate) : undefined;

// Deterministic order mix: 1-3 lines of the non-scarce SKUs, 1-2 units each, shipped to the metros the network serves.
let seed = 7;
const next = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const skus = DEMO_SKUS.filter((s) => !SCARCE_SKUS.includes(s.sku) && s.sku !== 'RUG-5X8').map((s) => s.sku);
const zips = [...new Set(DEMO_LOCATIONS.map((l) => l.postalCode))];
const channels = ['web', 'web', 'web', 'marketplace', 'social', 'app'];
const preferences = ['balanced', 'cheapest', 'fastest', 'greenest'] as const;

function orderBody(i: number): Record<string, unknown> {
  const lineCount = 1 + Math.floor(next() * 3);
  const chosen = new Set<string>();
  while (chosen.size < lineCount) chosen.add(pick(skus));
  const channel = pick(channels);
  return {
    channel,
    ...(channel === 'marketplace' ? { externalId: `${values.run}-${i}` } : {}),
    customer: { id: `bench-${i % 997}`, tier: i % 20 === 0 ? 'vip' : 'standard' },
    shipTo: { postalCode: pick(zips), country: 'US' },
    lines: [...chosen].map((sku, n) => ({ lineId: `l${n + 1}`, sku, quantity: 1 + Math.floor(next() * 2) })),
    preference: pick(preferences),
  };
}

const bodies = Array.from({ length: total }, (_, i) => orderBody(i));
// Warm the sockets and the gateway's first paths (not counted), as a steady stream of clients would be.
await Promise.all(Array.from({ length: Math.min(concurrency, 16) }, () => api.request('GET', '/health')));

const cpuAtStart = process.cpuUsage();
const result: LoadResult = { accepted: 0, repeated: 0, failed: [], latenciesMs: [], warmupLatenciesMs: [], orderIds: [], startedAt: Date.now(), endedAt: 0 };
process.send!({ started: result.startedAt });
let nextIndex = 0;
const scheduleStart = performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
await Promise.all(
  Array.from({ length: Math.min(concurrency, total) }, async () => {
    while (nextIndex < total) {
      const index = nextIndex++;
      const body = bodies[index]!;
      let t0 = performance.now();
      if (rate) {
        t0 = scheduleStart + (index * 1000) / rate;
        const wait = t0 - performance.now();
        if (wait > 0) await sleep(wait);
      }
      const response = await api.request<{ orderId: string }>('POST', '/orders', body).catch((error: unknown) => ({ status: 0, body: { error: String(error) } as unknown as { orderId: string } }));
      (index < warmup ? result.warmupLatenciesMs : result.latenciesMs).push(performance.now() - t0);
      if (response.status === 202) {
        result.accepted++;
        result.orderIds.push(response.body.orderId);
      } else if (response.status === 200) {
        result.repeated++;
      } else if (result.failed.length < 20) {
        result.failed.push({ status: response.status, body: JSON.stringify(response.body).slice(0, 300) });
      } else {
        result.failed.push({ status: response.status, body: '' });
      }
    }
  }),
);
result.endedAt = Date.now();
const cpu = process.cpuUsage(cpuAtStart);
result.cpuMs = (cpu.user + cpu.system) / 1000;
process.send!(result, () => process.exit(0));

// Cost-model benchmark: how long `costModelFor` takes per candidate location for one order, on the demo
// tenant's rate table. Usage: npx tsx bench/carriers.ts [--locations 500] [--orders 2000]
import { DEFAULT_RATE_TABLE } from '../shared/domain/carriers/rate-table.ts';
import { seededRandom } from '../shared/domain/seeded-random.ts';
import { costModelFor, type CostModelLocation } from '../shared/domain/carriers/cost-model.ts';
import { PREFERENCES } from '../shared/domain/carriers/choose-service.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const locationCount = flag('locations', 500);
const orders = flag('orders', 2000);

// A fixed seed, so every run rates the same network.
const rnd = seededRandom(42);
const zones = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'] as const;
const types = ['warehouse', 'store', 'store', 'store', 'dropship', '3pl'] as const;
// Continental US box; time zone by longitude band, which is close enough for a benchmark.
const locations: CostModelLocation[] = Array.from({ length: locationCount }, (_, i) => {
  const lon = -123 + rnd() * 52;
  return {
    id: `loc-${i}`,
    type: types[Math.floor(rnd() * types.length)]!,
    lat: 30 + rnd() * 17,
    lon,
    timeZone: zones[lon > -87 ? 0 : lon > -101 ? 1 : lon > -114 ? 2 : 3],
  };
});
const destinations = Array.from({ length: 64 }, () => ({ lat: 30 + rnd() * 17, lon: -123 + rnd() * 52 }));
const shipDate = new Date('2026-03-04T15:30:00Z');

function run(n: number): number {
  let sink = 0;
  for (let o = 0; o < n; o++) {
    const model = costModelFor({
      table: DEFAULT_RATE_TABLE,
      preference: PREFERENCES[o % PREFERENCES.length]!,
      destination: destinations[o % destinations.length]!,
      shipDate,
      locations,
      typicalWeightLb: 1 + (o % 12),
    });
    sink += model.size;
  }
  return sink;
}

run(Math.min(200, orders)); // warm-up: JIT, Intl formatters, compiled table
const perOrder: number[] = [];
const batch = 50;
for (let done = 0; done < orders; done += batch) {
  const t0 = process.hrtime.bigint();
  run(batch);
  perOrder.push(Number(process.hrtime.bigint() - t0) / batch);
}
perOrder.sort((a, b) => a - b);
const pct = (p: number) => perOrder[Math.min(perOrder.length - 1, Math.floor(p * perOrder.length))]!;
const fmt = (ns: number) => `${(ns / 1e3).toFixed(1)} µs/order, ${(ns / locationCount).toFixed(0)} ns/location`;
console.log(`costModelFor: ${locationCount} locations, ${DEFAULT_RATE_TABLE.carriers.flatMap((c) => c.services).length} services, ${orders} orders`);
console.log(`  median ${fmt(pct(0.5))}`);
console.log(`  p90    ${fmt(pct(0.9))}`);

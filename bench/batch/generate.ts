// Seeded generator of batches shaped like the public sample's classes (../shared/bench/batch/README.md),
// to validate the batch allocator on windows it was never run on: other seeds, same kinds.
// Usage: npx tsx bench/batch/generate.ts --seed 7 --out /tmp/batch-7 [--batches 10] [--classes window,big]
// then:  npm run bench:batch -- --data /tmp/batch-7   (the exact solver's results become the optima)
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Batch, BatchLocation, BatchOrder } from '../../shared/domain/routing/batch/types.ts';
import { seededRandom } from '../../infra/local/tools/demo-network.ts';

interface ClassShape {
  warehouses: number;
  stores: number;
  dropships: number;
  catalog: number;
  orders: number;
  /** Mean distinct skus and units per sku, per location type. */
  stock: Record<'warehouse' | 'store' | 'dropship', { skus: number; units: number }>;
  /** Share of orders placed by a customer who already ordered in the window. */
  repeatShare: number;
}

const CLASSES: Record<string, ClassShape> = {
  window: { warehouses: 5, stores: 89, dropships: 3, catalog: 74, orders: 50, repeatShare: 0, stock: { warehouse: { skus: 46, units: 1.55 }, store: { skus: 9, units: 2.5 }, dropship: { skus: 16, units: 3.3 } } },
  'scarce-window': { warehouses: 5, stores: 88, dropships: 3, catalog: 74, orders: 50, repeatShare: 0, stock: { warehouse: { skus: 25, units: 1.6 }, store: { skus: 4.4, units: 1.6 }, dropship: { skus: 9.3, units: 1.3 } } },
  repeat: { warehouses: 5, stores: 90, dropships: 3, catalog: 64, orders: 40, repeatShare: 0.3, stock: { warehouse: { skus: 35, units: 1.76 }, store: { skus: 8.4, units: 2.4 }, dropship: { skus: 16, units: 2.4 } } },
  big: { warehouses: 10, stores: 283, dropships: 5, catalog: 260, orders: 200, repeatShare: 0.05, stock: { warehouse: { skus: 131, units: 4.5 }, store: { skus: 6.6, units: 2 }, dropship: { skus: 40, units: 3 } } },
};

// Zones by distance: per-lb rate and the carrier's base rate for one parcel.
export const ZONES: { km: number; unit: number; parcel: number }[] = [
  { km: 150, unit: 0.35, parcel: 9.7 },
  { km: 300, unit: 0.45, parcel: 10.1 },
  { km: 600, unit: 0.6, parcel: 10.6 },
  { km: 1000, unit: 0.8, parcel: 11.1 },
  { km: 1500, unit: 1.05, parcel: 11.8 },
  { km: 2900, unit: 1.3, parcel: 12.4 },
  { km: Infinity, unit: 1.6, parcel: 13.1 },
];


export function km(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const r = Math.PI / 180;
  const h = Math.sin(((b.lat - a.lat) * r) / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(((b.lon - a.lon) * r) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function generateBatch(cls: string, seed: number, index: number): Batch {
  const shape = CLASSES[cls];
  if (!shape) throw new Error(`unknown class ${cls}`);
  const rnd = seededRandom(seed * 1_000_003 + index * 7919 + cls.length);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  // Skus are popular by a Zipf-like law, for what is ordered and for what stores carry.
  const weights = Array.from({ length: shape.catalog }, (_, i) => 1 / (i + 1) ** 0.8);
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  const pickSku = () => {
    let x = rnd() * totalWeight;
    for (let i = 0; i < weights.length; i++) if ((x -= weights[i]!) <= 0) return i;
    return weights.length - 1;
  };
  const place = () => ({ lat: round2(30 + rnd() * 17), lon: round2(-122 + rnd() * 50) });
  const skuWeight = Array.from({ length: shape.catalog }, () => round2(0.3 + rnd() * 4));

  const locations: (BatchLocation & { lat: number; lon: number; handling: number })[] = [];
  const addLocations = (type: 'warehouse' | 'store' | 'dropship', count: number, prefix: string, handling: () => number) => {
    for (let i = 1; i <= count; i++) {
      const { skus, units } = shape.stock[type];
      const inventory: Record<string, number> = {};
      const distinct = Math.max(1, Math.round(skus * (0.6 + 0.8 * rnd())));
      for (let t = 0; t < distinct * 3 && Object.keys(inventory).length < distinct; t++) {
        // Warehouses carry the popular lines; stores and drop-shippers an assortment of their own.
        const sku = `SKU-${(type === 'warehouse' ? pickSku() : int(0, shape.catalog - 1)) + 1}`;
        if (!inventory[sku]) inventory[sku] = Math.max(1, Math.round(units * (0.3 + 1.4 * rnd())));
      }
      locations.push({ id: `${prefix}-${i}`, type, ...place(), inventory, handling: handling() });
    }
  };
  addLocations('warehouse', shape.warehouses, 'WH', () => 0);
  addLocations('store', shape.stores, 'ST', () => 1.5 + rnd() * 2.5);
  addLocations('dropship', shape.dropships, 'DS', () => 0.8 + rnd() * 1.5);

  const orders: BatchOrder[] = [];
  const customers: { key: string; destination: { lat: number; lon: number } }[] = [];
  for (let o = 1; o <= shape.orders; o++) {
    const repeat = customers.length > 0 && rnd() < shape.repeatShare;
    const customer = repeat ? customers[int(0, customers.length - 1)]! : { key: `C-${1000 + int(0, 8999)}-${o}`, destination: place() };
    if (!repeat) customers.push(customer);
    const lineCount = int(1, 4);
    const skus = new Set<number>();
    while (skus.size < lineCount) skus.add(pickSku());
    const lines = [...skus].map((s, i) => {
      const r = rnd();
      return { lineId: String(i + 1), sku: `SKU-${s + 1}`, quantity: r < 0.65 ? 1 : r < 0.87 ? 2 : r < 0.97 ? 3 : 4, weightLb: round2(skuWeight[s]! * (0.9 + 0.2 * rnd())) };
    });
    orders.push({ orderId: `O-${o}`, groupKey: customer.key, destination: customer.destination, lines, costs: {} });
  }
  // Costs: every location holding any sku the order's group orders; identical within a group.
  const groupSkus = new Map<string, Set<string>>();
  for (const o of orders) for (const l of o.lines) groupSkus.set(o.groupKey, (groupSkus.get(o.groupKey) ?? new Set()).add(l.sku));
  const groupCosts = new Map<string, BatchOrder['costs']>();
  for (const o of orders) {
    let costs = groupCosts.get(o.groupKey);
    if (!costs) {
      costs = {};
      const skus = groupSkus.get(o.groupKey)!;
      for (const loc of locations) {
        if (![...skus].some((s) => (loc.inventory[s] ?? 0) > 0)) continue;
        const zone = ZONES.find((z) => km(o.destination!, loc) <= z.km)!;
        (costs as Record<string, { shipmentCost: number; unitCost: number }>)[loc.id] = { shipmentCost: round2(zone.parcel + loc.handling), unitCost: zone.unit };
      }
      groupCosts.set(o.groupKey, costs);
    }
    (o as { costs: BatchOrder['costs'] }).costs = costs;
  }
  return {
    id: `${cls}-${seed}-${index + 1}`,
    unfilledPenalty: 1000,
    locations: locations.map(({ handling: _h, ...l }) => l),
    orders,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '7' },
      out: { type: 'string' },
      batches: { type: 'string', default: '10' },
      classes: { type: 'string', default: Object.keys(CLASSES).join(',') },
    },
  });
  if (!values.out) {
    console.error('usage: npx tsx bench/batch/generate.ts --seed 7 --out DIR [--batches 10] [--classes window,big]');
    process.exit(2);
  }
  fs.mkdirSync(values.out, { recursive: true });
  for (const cls of values.classes!.split(',')) {
    const count = cls === 'big' ? Math.max(1, Math.ceil(Number(values.batches) / 4)) : Number(values.batches);
    const lines = Array.from({ length: count }, (_, i) => JSON.stringify(generateBatch(cls, Number(values.seed), i)));
    fs.writeFileSync(path.join(values.out, `${cls}.jsonl`), lines.join('\n') + '\n');
    console.error(`${cls}: ${count} batch(es) -> ${path.join(values.out, `${cls}.jsonl`)}`);
  }
}

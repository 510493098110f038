import type { DomApi } from './api-client.ts';
import { seededRandom } from '../../../shared/domain/seeded-random.ts';
import { inParallel } from '#application/in-parallel';

/**
 * The demo tenant's network: the t-shirt story's three New York locations (docs/routing.md) inside a national network
 * of warehouses, 3PLs, stores and one drop-shipper, a small catalogue of apparel, shoes and home goods, and stock spread
 * the way a real retailer's is (deep in the DCs, thin in the stores, some SKUs scarce). Seeded only through the public
 * HTTP API, so it doubles as an example of onboarding a merchant. Carrier rates need no seeding: every tenant gets the
 * default rate table (docs/carriers.md) and there is no rate-table API yet.
 */

export interface DemoLocation {
  id: string;
  name: string;
  type: 'warehouse' | 'store' | 'dropship' | '3pl';
  postalCode: string;
  capabilities?: { ship: boolean; pickup: boolean; curbside: boolean };
  dailyCapacity?: number;
}

export interface DemoSku {
  sku: string;
  name: string;
  category: 'apparel' | 'shoes' | 'home';
  weightLb: number;
  dims?: { lengthIn: number; widthIn: number; heightIn: number };
  lowStockThreshold?: number;
}

const STORE = { ship: true, pickup: true, curbside: true };
const store = (id: string, name: string, postalCode: string): DemoLocation => ({ id, name, type: 'store', postalCode, capabilities: STORE, dailyCapacity: 150 });
const dc = (id: string, name: string, postalCode: string, type: 'warehouse' | '3pl' = 'warehouse'): DemoLocation => ({
  id,
  name,
  type,
  postalCode,
  dailyCapacity: type === 'warehouse' ? 20_000 : 8_000,
});

/** The story's locations first (same ids and ZIPs as infra/local/orders.int.test.ts). */
export const DEMO_LOCATIONS: readonly DemoLocation[] = [
  dc('brooklyn-wh', 'Brooklyn warehouse', '11222'),
  dc('olean-wh', 'Olean warehouse', '14760'),
  store('manhattan-store', 'Manhattan store (SoHo)', '10013'),
  // Warehouses and 3PLs, coast to coast.
  dc('edison-dc', 'Edison NJ distribution center', '08837'),
  dc('allentown-3pl', 'Allentown PA 3PL', '18109', '3pl'),
  dc('atlanta-dc', 'Atlanta distribution center', '30336'),
  dc('orlando-3pl', 'Orlando 3PL', '32824', '3pl'),
  dc('columbus-dc', 'Columbus OH distribution center', '43217'),
  dc('joliet-dc', 'Joliet IL distribution center', '60436'),
  dc('memphis-3pl', 'Memphis 3PL', '38118', '3pl'),
  dc('dallas-dc', 'Dallas distribution center', '75261'),
  dc('houston-3pl', 'Houston 3PL', '77032', '3pl'),
  dc('denver-dc', 'Denver distribution center', '80216'),
  dc('phoenix-3pl', 'Phoenix 3PL', '85043', '3pl'),
  dc('reno-dc', 'Reno distribution center', '89502'),
  dc('ontario-dc', 'Ontario CA distribution center', '91761'),
  dc('tracy-3pl', 'Tracy CA 3PL', '95304', '3pl'),
  dc('kent-dc', 'Kent WA distribution center', '98032'),
  // Stores: ship-from-store, pick-up and curbside.
  store('brooklyn-store', 'Brooklyn Heights store', '11201'),
  store('boston-store', 'Boston Back Bay store', '02116'),
  store('philadelphia-store', 'Philadelphia Center City store', '19103'),
  store('washington-store', 'Washington DC store', '20001'),
  store('baltimore-store', 'Baltimore Inner Harbor store', '21202'),
  store('charlotte-store', 'Charlotte Uptown store', '28202'),
  store('atlanta-store', 'Atlanta Midtown store', '30309'),
  store('miami-store', 'Miami Brickell store', '33131'),
  store('orlando-store', 'Orlando downtown store', '32801'),
  store('nashville-store', 'Nashville store', '37203'),
  store('chicago-store', 'Chicago Magnificent Mile store', '60611'),
  store('detroit-store', 'Detroit downtown store', '48226'),
  store('minneapolis-store', 'Minneapolis store', '55402'),
  store('st-louis-store', 'St. Louis store', '63101'),
  store('dallas-store', 'Dallas downtown store', '75201'),
  store('austin-store', 'Austin store', '78701'),
  store('houston-store', 'Houston downtown store', '77002'),
  store('denver-store', 'Denver LoDo store', '80202'),
  store('phoenix-store', 'Phoenix store', '85004'),
  store('salt-lake-store', 'Salt Lake City store', '84101'),
  store('los-angeles-store', 'Los Angeles downtown store', '90017'),
  store('san-diego-store', 'San Diego Gaslamp store', '92101'),
  store('san-francisco-store', 'San Francisco SoMa store', '94103'),
  store('portland-store', 'Portland Pearl District store', '97205'),
  store('seattle-store', 'Seattle downtown store', '98101'),
  // A drop-shipper for bulky home goods (High Point NC, the furniture capital).
  { id: 'homegoods-dropship', name: 'Carolina Home Goods (drop-ship)', type: 'dropship', postalCode: '27260', dailyCapacity: 2_000 },
];

export const DEMO_SKUS: readonly DemoSku[] = [
  { sku: 'TEE-BLK-M', name: 'Black tee, M', category: 'apparel', weightLb: 0.4 },
  { sku: 'TEE-BLK-L', name: 'Black tee, L', category: 'apparel', weightLb: 0.45 },
  { sku: 'TEE-WHT-M', name: 'White tee, M', category: 'apparel', weightLb: 0.4 },
  { sku: 'HOODIE-GRY-M', name: 'Grey hoodie, M', category: 'apparel', weightLb: 1.2, dims: { lengthIn: 12, widthIn: 10, heightIn: 3 } },
  { sku: 'HOODIE-GRY-L', name: 'Grey hoodie, L', category: 'apparel', weightLb: 1.3, dims: { lengthIn: 12, widthIn: 10, heightIn: 3 } },
  { sku: 'JEANS-IND-32', name: 'Indigo jeans, 32', category: 'apparel', weightLb: 1.6 },
  { sku: 'JACKET-RAIN-M', name: 'Rain jacket, M (limited run)', category: 'apparel', weightLb: 1.8, lowStockThreshold: 3 },
  { sku: 'SOCKS-3PK', name: 'Crew socks, 3-pack', category: 'apparel', weightLb: 0.3 },
  { sku: 'CAP-NAVY', name: 'Navy cap', category: 'apparel', weightLb: 0.3 },
  { sku: 'SNKR-RUN-9', name: 'Running shoe, 9', category: 'shoes', weightLb: 2.4, dims: { lengthIn: 13, widthIn: 8, heightIn: 5 } },
  { sku: 'SNKR-RUN-10', name: 'Running shoe, 10', category: 'shoes', weightLb: 2.5, dims: { lengthIn: 13, widthIn: 8, heightIn: 5 } },
  { sku: 'SNKR-LTD-10', name: 'Limited-edition sneaker, 10', category: 'shoes', weightLb: 2.6, dims: { lengthIn: 14, widthIn: 9, heightIn: 5 }, lowStockThreshold: 2 },
  { sku: 'BOOT-HIKE-10', name: 'Hiking boot, 10', category: 'shoes', weightLb: 3.5, dims: { lengthIn: 14, widthIn: 10, heightIn: 6 } },
  { sku: 'SANDAL-8', name: 'Sandal, 8', category: 'shoes', weightLb: 1.0 },
  { sku: 'MUG-CERAMIC', name: 'Ceramic mug', category: 'home', weightLb: 1.1 },
  { sku: 'TOWEL-BATH', name: 'Bath towel', category: 'home', weightLb: 1.5 },
  { sku: 'CANDLE-CEDAR', name: 'Cedar candle', category: 'home', weightLb: 0.9 },
  { sku: 'THROW-WOOL', name: 'Wool throw', category: 'home', weightLb: 3.2, dims: { lengthIn: 16, widthIn: 12, heightIn: 6 } },
  { sku: 'LAMP-DESK', name: 'Desk lamp', category: 'home', weightLb: 6.5, dims: { lengthIn: 20, widthIn: 12, heightIn: 10 } },
  { sku: 'RUG-5X8', name: 'Rug, 5x8 ft', category: 'home', weightLb: 22, dims: { lengthIn: 62, widthIn: 10, heightIn: 10 } },
];

/** SKUs whose whole network stock is stated by hand: the story's tee, and the scarce ones the demo runs out of. */
const FIXED_STOCK: Record<string, Record<string, number>> = {
  'TEE-BLK-M': { 'brooklyn-wh': 1, 'olean-wh': 2, 'manhattan-store': 2 },
  'SNKR-LTD-10': { 'joliet-dc': 2, 'chicago-store': 1, 'los-angeles-store': 1 },
  'JACKET-RAIN-M': { 'kent-dc': 3, 'portland-store': 2 },
  'RUG-5X8': { 'homegoods-dropship': 40 },
};
export const SCARCE_SKUS: readonly string[] = ['TEE-BLK-M', 'SNKR-LTD-10', 'JACKET-RAIN-M'];

export interface DemoStock {
  locationId: string;
  sku: string;
  onHand: number;
  safetyStock: number;
}

/** Deterministic, so every demo tenant and every benchmark run gets the same network. */
export { seededRandom };

/** The stock of every location+SKU pair, with quantities multiplied by `multiplier` (benchmarks want deeper stock). */
export function demoStock(multiplier = 1): DemoStock[] {
  const next = seededRandom(20_260_101);
  const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  const stock: DemoStock[] = [];
  for (const sku of DEMO_SKUS) {
    const fixed = FIXED_STOCK[sku.sku];
    for (const location of DEMO_LOCATIONS) {
      let onHand = 0;
      let safetyStock = 0;
      if (fixed) {
        onHand = fixed[location.id] ?? 0;
      } else if (location.type === 'dropship') {
        onHand = sku.category === 'home' ? 400 : 0;
      } else if (location.type === 'warehouse') {
        onHand = next() < 0.85 ? between(40, 240) : 0;
        safetyStock = onHand > 0 ? 5 : 0;
      } else if (location.type === '3pl') {
        onHand = next() < 0.7 ? between(20, 120) : 0;
        safetyStock = onHand > 0 ? 3 : 0;
      } else if (location.id !== 'olean-wh' && location.id !== 'brooklyn-wh') {
        // Stores carry apparel and shoes more often than home goods, a few of each; the last unit is the display one.
        onHand = next() < (sku.category === 'home' ? 0.25 : 0.5) ? between(2, 14) : 0;
        safetyStock = onHand > 0 ? 1 : 0;
      }
      // The story's two New York warehouses stock apparel only; the Manhattan store always has caps (the demo's pick-up).
      if (!fixed && (location.id === 'brooklyn-wh' || location.id === 'olean-wh')) onHand = sku.category === 'apparel' ? between(10, 60) : 0;
      if (sku.sku === 'CAP-NAVY' && location.id === 'manhattan-store') onHand = Math.max(onHand, 6);
      if (onHand > 0) stock.push({ locationId: location.id, sku: sku.sku, onHand: onHand * multiplier, safetyStock });
    }
  }
  return stock;
}

export interface SeedSummary {
  locations: number;
  skus: number;
  stockPairs: number;
  units: number;
  /** Adjustments the table already had (same sequence): a re-run of the seed changes nothing. */
  alreadySeeded: number;
  ms: number;
}

export interface SeedOptions {
  /** Quantities times this (default 1). */
  stockMultiplier?: number;
  /** Requests in flight while creating locations and SKUs (default 8). */
  concurrency?: number;
}

/** The sequence of the seed's counts: a re-run (or an older count redelivered) is ignored by the inventory API. */
const SEED_SEQUENCE = 1;
const BATCH = 500;

/**
 * Creates the network through the HTTP API. Idempotent: locations and SKUs are PUTs, and stock counts carry a
 * sequence, so running it again reports them as already applied and leaves stock that orders have since moved alone.
 */
export async function seedDemoNetwork(api: DomApi, options: SeedOptions = {}): Promise<SeedSummary> {
  const started = Date.now();
  const concurrency = options.concurrency ?? 8;
  await inParallel(DEMO_LOCATIONS, concurrency, (location) =>
    api.ok('PUT', `/locations/${location.id}`, {
      name: location.name,
      type: location.type,
      address: { postalCode: location.postalCode, country: 'US' },
      ...(location.capabilities ? { capabilities: location.capabilities } : {}),
      ...(location.dailyCapacity ? { dailyCapacity: location.dailyCapacity } : {}),
    }),
  );
  await inParallel(DEMO_SKUS, concurrency, (sku) =>
    api.ok('PUT', `/skus/${sku.sku}`, {
      name: sku.name,
      weightLb: sku.weightLb,
      ...(sku.dims ? { dims: sku.dims } : {}),
      ...(sku.lowStockThreshold !== undefined ? { lowStockThreshold: sku.lowStockThreshold } : {}),
    }),
  );
  const stock = demoStock(options.stockMultiplier ?? 1);
  const batches: DemoStock[][] = [];
  for (let i = 0; i < stock.length; i += BATCH) batches.push(stock.slice(i, i + BATCH));
  let alreadySeeded = 0;
  await inParallel(batches, 2, async (batch) => {
    const report = await api.ok<{ applied: number; ignored: unknown[]; errors: Array<{ index: number; code: string; message: string }> }>('POST', '/inventory/adjustments', {
      adjustments: batch.map((s) => ({ locationId: s.locationId, sku: s.sku, set: s.onHand, safetyStock: s.safetyStock, sequence: SEED_SEQUENCE, reason: 'demo seed' })),
    });
    if (report.errors.length > 0) throw new Error(`Seeding stock failed: ${JSON.stringify(report.errors.slice(0, 3))}`);
    alreadySeeded += report.ignored.length;
  });
  return {
    locations: DEMO_LOCATIONS.length,
    skus: DEMO_SKUS.length,
    stockPairs: stock.length,
    units: stock.reduce((n, s) => n + s.onHand, 0),
    alreadySeeded,
    ms: Date.now() - started,
  };
}

export function describeSeed(summary: SeedSummary): string {
  const what = `${summary.locations} locations, ${summary.skus} SKUs, ${summary.units.toLocaleString('en-US')} units at ${summary.stockPairs} location+SKU pairs`;
  return summary.alreadySeeded === summary.stockPairs ? `${what} (already seeded)` : `${what}, seeded in ${(summary.ms / 1000).toFixed(1)} s`;
}


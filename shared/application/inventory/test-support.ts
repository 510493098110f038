import { dynamoChannelStore, dynamoLocationStore, dynamoSkuStore } from '#adapters/dynamodb/catalog-store';
import { dynamoReservationStore, dynamoSkuNetworkStore, dynamoStockStore } from '#adapters/dynamodb/stock-store';
import { systemClock } from '#adapters/system/system';
import { adjustInventory } from './adjust-inventory.ts';

/** The real adapters, as the handlers build them: integration tests and the benchmark call the use cases with these. */
export const inventoryDeps = {
  locations: dynamoLocationStore,
  skus: dynamoSkuStore,
  channels: dynamoChannelStore,
  stock: dynamoStockStore,
  reservations: dynamoReservationStore,
  networks: dynamoSkuNetworkStore,
  clock: systemClock,
};

/** Creates the locations (geo given, no geocoding) and sets their stock of each SKU. */
export async function seedStock(tenantId: string, stock: Array<{ locationId: string; sku: string; onHand: number }>): Promise<void> {
  const locationIds = [...new Set(stock.map((s) => s.locationId))];
  await Promise.all(
    locationIds.map((locationId, i) =>
      dynamoLocationStore.put({
        tenantId,
        locationId,
        name: `Location ${locationId}`,
        type: 'warehouse',
        geo: { lat: 40 + i / 100, lon: -74 },
        capabilities: { ship: true, pickup: false, curbside: false },
        handlingCost: 2.5,
        active: true,
        updatedAt: new Date().toISOString(),
      }),
    ),
  );
  for (let i = 0; i < stock.length; i += 500) {
    const report = await adjustInventory(inventoryDeps, tenantId, stock.slice(i, i + 500).map((s) => ({ locationId: s.locationId, sku: s.sku, set: s.onHand })));
    if (report.errors.length) throw new Error(`seeding failed: ${JSON.stringify(report.errors.slice(0, 3))}`);
  }
}

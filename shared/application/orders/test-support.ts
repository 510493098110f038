import { fulfillmentDeps } from '../../adapters/orders.ts';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { createTestTenant, eventually } from '../../../infra/local/tools/testing.ts';

/**
 * A new tenant with one warehouse (olean-wh) holding 5 TEE-BLK-M, for the order integration tests. Returns once the
 * router can see the stock: it reads the SKU's network projection, which the stream consumer writes a moment later.
 */
export async function oneWarehouseShop(apiUrl: string, name: string) {
  const tenant = await createTestTenant(name);
  const api = new DomApi(apiUrl, tenant.apiKey);
  await api.ok('PUT', '/skus/TEE-BLK-M', { weightLb: 0.4 });
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: 'TEE-BLK-M', set: 5 }] });
  await eventually(async () => ((await fulfillmentDeps.networks.getMany(tenant.tenantId, ['TEE-BLK-M'])).get('TEE-BLK-M')?.available === 5 ? true : undefined));
  return { tenant, api };
}

import type { QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { KpiSource } from '#application/ops/kpis';
import type { Order } from '#domain/orders/order';
import { documentClient, QueryCommand, tableName } from './client.ts';
import { tenantKey } from './keys.ts';
import { orderOf, shipmentOf } from './order-store.ts';
import { dynamoStockStore } from './stock-store.ts';
import { inParallel } from '#application/in-parallel';

/** Order partitions read at once for their shipments. */
const CONCURRENCY = 16;


/**
 * The KPIs' reads: the tenant's orders by creation time (gsi2, sorted `<createdAt>#<orderId>`), each order's partition
 * for its shipments, and the stock of the SKUs asked for. Every key starts with the tenant id.
 */
export const dynamoKpiSource: KpiSource = {
  async ordersCreatedBetween(tenantId, from, to, max) {
    const orders: Order[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await documentClient.send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: 'gsi2',
          // `~` sorts after `#` and every id character: the bound takes every order created before `to`.
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'ORDERS'), ':from': from.toISOString(), ':to': `${new Date(to.getTime() - 1).toISOString()}~` },
          ScanIndexForward: false,
          Limit: Math.min(500, max + 1 - orders.length),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      orders.push(...(page.Items ?? []).map(orderOf));
      start = page.LastEvaluatedKey;
    } while (start && orders.length <= max);
    return { orders: orders.slice(0, max), truncated: orders.length > max };
  },

  async shipmentsOf(tenantId, orderIds) {
    const pages = await inParallel(orderIds, CONCURRENCY, async (orderId) => {
      const { Items = [] } = await documentClient.send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :shipment)',
          ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'ORDER', orderId), ':shipment': 'SHIPMENT#' },
        }),
      );
      return Items.map(shipmentOf);
    });
    return pages.flat();
  },

  async stockOf(tenantId, skus) {
    const levels = await inParallel(skus, CONCURRENCY, (sku) => dynamoStockStore.listBySku(tenantId, sku));
    return levels.flat().map(({ sku, locationId, available, onHand }) => ({ sku, locationId, available, onHand }));
  },
};

import type { QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, ownPosition } from '#application/cursor';
import type { OrderPage } from '#application/orders/ports';
import type { Order } from '#domain/orders/order';
import { documentClient, QueryCommand, tableName } from './client.ts';
import { tenantKey } from './keys.ts';
import { dynamoOrderStore, orderItem, orderOf } from './order-store.ts';

/** Items a search reads before it answers with what it found so far (and a cursor to go on). */
const SEARCH_READ_BUDGET = 1000;
const ORDER_ID = /^o_[a-z0-9]{10,40}$/;

/** Whether an order is found by `q`: its external id or customer id exactly, its customer email in any case. */
export function matchesSearch(order: Pick<Order, 'externalId' | 'customer'>, q: string): boolean {
  return order.externalId === q || order.customer.id === q || (order.customer.email !== undefined && order.customer.email.toLowerCase() === q.toLowerCase());
}

/**
 * Orders by id, external id or customer (ops console). An order id is one read; anything else filters the tenant's
 * orders newest first (by status if given), reading at most SEARCH_READ_BUDGET items per call: a page may hold fewer
 * than `limit` orders, or none, with a cursor to read on.
 */
export async function searchOrders(tenantId: string, query: { status?: Order['status']; q: string; limit: number; cursor?: string }): Promise<OrderPage> {
  if (ORDER_ID.test(query.q)) {
    const found = query.cursor === undefined ? await dynamoOrderStore.get(tenantId, query.q) : undefined;
    return { orders: found && (!query.status || found.order.status === query.status) ? [found.order] : [] };
  }
  const index = query.status ? { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk', value: tenantKey(tenantId, 'ORDERS', query.status) } : { name: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk', value: tenantKey(tenantId, 'ORDERS') };
  const after = decodeCursor(query.cursor);
  let start = after ? ownPosition(after, { partition: { [index.pk]: index.value }, sortKeys: ['pk', 'sk', index.sk] }) : undefined;
  const orders: Order[] = [];
  let read = 0;
  do {
    const result: QueryCommandOutput = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: index.name,
        KeyConditionExpression: `${index.pk} = :pk`,
        ExpressionAttributeValues: { ':pk': index.value },
        ScanIndexForward: false,
        Limit: Math.min(200, SEARCH_READ_BUDGET - read),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    read += result.Items?.length ?? 0;
    // Matched here rather than by a FilterExpression (which reads as much): an email matches in any case.
    const items = (result.Items ?? []).filter((item) => matchesSearch(orderOf(item), query.q));
    for (const item of items) {
      if (orders.length >= query.limit) break;
      orders.push(orderOf(item));
    }
    start = result.LastEvaluatedKey;
    if (orders.length >= query.limit) {
      // A full page goes on right after its last order, not after the last item the query read.
      const last = orderItem(orders[orders.length - 1]!);
      start = { pk: last.pk, sk: last.sk, [index.pk]: index.value, [index.sk]: index.sk === 'gsi1sk' ? last.gsi1sk : last.gsi2sk };
      break;
    }
  } while (start && read < SEARCH_READ_BUDGET);
  const nextCursor = encodeCursor(start);
  return { orders, ...(nextCursor ? { nextCursor } : {}) };
}


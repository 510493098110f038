import { FINISHED_RETENTION_SECONDS } from '#domain/inventory/reservation';
import type { ReoptimisationStore } from '#application/orders/reoptimise';
import { documentClient, QueryCommand, tableName } from './client.ts';
import { tenantKey } from './keys.ts';
import { orderOf, orderPut, shipmentPut } from './order-store.ts';
import { reservationFinishItems, transactReservations } from './stock-store.ts';

/**
 * Re-optimisation's reads and writes (issue 17 step 3). A move is one transaction: the order under its version, each
 * cancelled shipment under its status REQUESTED and its version (a location's accept bumps both it and the order),
 * each cancelled shipment's reservation RELEASED (guarded PENDING, its units back to `available`), and the new
 * shipments with their reservations taken under `available >= n` (never oversell). All or nothing.
 */
export const dynamoReoptimisationStore: ReoptimisationStore = {
  async recentAllocated(tenantId, since, limit) {
    const { Items = [] } = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
        ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'ORDERS', 'ALLOCATED'), ':since': since.toISOString() },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map(orderOf);
  },

  async move({ change, reservations }) {
    const { order } = change;
    const now = new Date(order.updatedAt);
    const retainUntil = Math.ceil(now.getTime() / 1000) + FINISHED_RETENTION_SECONDS;
    const created = new Set(reservations.map((r) => r.reservation.reservationId));
    const items = [
      { Put: orderPut(order, change.expectedVersion) },
      ...change.shipments.map((shipment) => {
        if (created.has(shipment.reservationId)) return { Put: shipmentPut(order, shipment, true) };
        const put = shipmentPut(order, shipment);
        return {
          Put: {
            ...put,
            ConditionExpression: '#status = :requested AND #version = :version',
            ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
            ExpressionAttributeValues: { ':requested': 'REQUESTED', ':version': shipment.version - 1 },
          },
        };
      }),
      ...change.reservations.flatMap((move) => reservationFinishItems({ tenantId: order.tenantId, reservationId: move.reservationId, lines: move.lines }, move.to, now, retainUntil)),
    ];
    const result = await transactReservations(order.tenantId, reservations, () => items);
    if (result.ok) return 'MOVED';
    if (result.tooLarge) return 'CONFLICT';
    const other = result.before.some((r) => r.code === 'ConditionalCheckFailed') || result.heads.some((r) => r?.code === 'ConditionalCheckFailed');
    return other ? 'CONFLICT' : 'SHORT';
  },
};

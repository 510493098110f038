/**
 * The scheduled check of what locations and carriers owe (pure): for a shipment listed as due, whether to mark it late
 * (a version step of the order, which the stream turns into OrderDelayed) and whether to take it away from a location
 * that never accepted it.
 */
import type { OrderChange } from './change.ts';
import type { Order } from './order.ts';
import { isAcceptanceOverdue, isLate, markDelayed, type Shipment } from './shipment.ts';

export type DueCheck =
  | { kind: 'nothing' }
  /** Not accepted by its deadline: rejected on the location's behalf (its lines are routed again). */
  | { kind: 'take-away'; reason: string }
  /** Its promised day has passed: marked late once; one still not accepted is then taken away too. */
  | { kind: 'mark-late'; change: OrderChange; thenTakeAway?: string };

export function decideDueCheck(order: Order, shipment: Shipment, now: Date): DueCheck {
  if (!isLate(shipment, now)) {
    return isAcceptanceOverdue(shipment, now) ? { kind: 'take-away', reason: `not accepted by the location by ${shipment.acceptBy}` } : { kind: 'nothing' };
  }
  const change: OrderChange = {
    order: { ...order, updatedAt: now.toISOString(), version: order.version + 1 },
    expectedVersion: order.version,
    shipments: [markDelayed(shipment, now)],
    reservations: [],
  };
  return shipment.status === 'REQUESTED' ? { kind: 'mark-late', change, thenTakeAway: 'not accepted by the location before its promised delivery date' } : { kind: 'mark-late', change };
}

/**
 * A change to one order, as a decision returns it: everything that moves together. The order store writes all of it in
 * one transaction, guarded by the order's version (and each reservation by its status), so a crash or a lost race
 * leaves the old state or the new one, never half of each.
 */
import { mergeLines, type ReservationLine } from '../inventory/stock.ts';
import type { Order } from './order.ts';
import type { Shipment } from './shipment.ts';

/** A PENDING reservation finished with the change: its units go back (RELEASED) or leave on-hand (COMMITTED). */
export interface ReservationMove {
  reservationId: string;
  lines: ReservationLine[];
  to: 'RELEASED' | 'COMMITTED';
}

export interface OrderChange {
  /** The order as it is after the change (its version one higher). */
  order: Order;
  /** The version the decision was made from: the write applies only if the stored order is still at it. */
  expectedVersion: number;
  /** Shipments written with the order (changed ones). */
  shipments: Shipment[];
  reservations: ReservationMove[];
  /** Units put back on-hand (a return restocked), added atomically to the stock items. */
  restock?: Array<{ locationId: string; sku: string; quantity: number }>;
  /** Units received damaged: added to the stock items' damaged count (never available). */
  damaged?: Array<{ locationId: string; sku: string; quantity: number }>;
  /** Return ids this change takes for the order (one return per id in a tenant: receipts find the order by it). */
  returnGuards?: Array<{ returnId: string }>;
}

/** What a shipment's reservation holds: the shipment's lines at its location, merged. */
export function reservationLinesOf(shipment: Pick<Shipment, 'locationId' | 'lines'>): ReservationLine[] {
  return mergeLines(shipment.lines.map((l) => ({ locationId: shipment.locationId, sku: l.sku, quantity: l.quantity })));
}

/** The reservation a shipment holds, finished with the change. */
export function reservationMove(shipment: Shipment, to: ReservationMove['to']): ReservationMove {
  return { reservationId: shipment.reservationId, lines: reservationLinesOf(shipment), to };
}

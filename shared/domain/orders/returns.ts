/**
 * Returns: units a customer sends back, received at any of the merchant's own locations (return-anywhere). Pure: the
 * caller passes the order, its shipments and the time. Only units that left in a shipment can come back, each once;
 * a return is recorded on the order, and once every unit of the order is back the order is RETURNED.
 */
import type { OrderChange } from './change.ts';
import { transition, type Order, type OrderReturn, type OrderStatus, type ReturnLine } from './order.ts';
import type { Shipment } from './shipment.ts';

export interface ReturnRequest {
  returnId: string;
  locationId: string;
  lines: Array<{ lineId: string; quantity: number; restock?: boolean }>;
  reason?: string;
}

/** A refused return: every problem names the request field it is about. */
export class ReturnRefusedError extends Error {
  override readonly name = 'ReturnRefusedError';
  constructor(readonly problems: Array<{ field: string; message: string }>) {
    super(`The return cannot be received: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  }
}

/** Orders keep their returns on the order item; past this many, the merchant must settle it otherwise. */
export const MAX_RETURNS_PER_ORDER = 50;

const SHIPPED: ReadonlySet<Shipment['status']> = new Set(['SHIPPED', 'DELIVERED']);
/** Where a fully returned order may end; before shipping, a cancel is the way back. */
const RETURNABLE_FROM: ReadonlySet<OrderStatus> = new Set(['SHIPPED', 'DELIVERED']);

/** Per line: units that left in a shipment and have not come back yet. */
export function returnableUnits(order: Pick<Order, 'lines' | 'returns'>, shipments: Shipment[]): Map<string, number> {
  const units = new Map(order.lines.map((line) => [line.lineId, 0]));
  for (const shipment of shipments) {
    if (!SHIPPED.has(shipment.status)) continue;
    for (const line of shipment.lines) units.set(line.lineId, (units.get(line.lineId) ?? 0) + line.quantity);
  }
  for (const ret of order.returns ?? []) {
    for (const line of ret.lines) units.set(line.lineId, (units.get(line.lineId) ?? 0) - line.quantity);
  }
  return units;
}

/** The return already recorded under this id, if any (a retried request). */
export function recordedReturn(order: Pick<Order, 'returns'>, returnId: string): OrderReturn | undefined {
  return order.returns?.find((r) => r.returnId === returnId);
}

/** True when a repeated request asks for exactly what was recorded (same place, lines and restock choices). */
export function sameReturn(recorded: OrderReturn, request: ReturnRequest): boolean {
  const wanted = request.lines.map((l) => `${l.lineId}:${l.quantity}:${l.restock ?? true}`).sort();
  const got = recorded.lines.map((l) => `${l.lineId}:${l.quantity}:${l.restock}`).sort();
  return recorded.locationId === request.locationId && wanted.join() === got.join();
}

/**
 * The order with the return recorded (RETURNED when every unit of the order is back), and the return. Refuses lines
 * the order does not have, a line named twice, and more units than left and are not back yet.
 */
export function receiveReturn(order: Order, shipments: Shipment[], request: ReturnRequest, at: Date): { order: Order; received: OrderReturn } {
  const problems: Array<{ field: string; message: string }> = [];
  const returnable = returnableUnits(order, shipments);
  const seen = new Set<string>();
  const lines: ReturnLine[] = [];
  request.lines.forEach((wanted, index) => {
    const line = order.lines.find((l) => l.lineId === wanted.lineId);
    if (!line) return problems.push({ field: `lines[${index}].lineId`, message: `order ${order.orderId} has no line ${wanted.lineId}` });
    if (seen.has(wanted.lineId)) return problems.push({ field: `lines[${index}].lineId`, message: `line ${wanted.lineId} is named twice` });
    seen.add(wanted.lineId);
    const left = returnable.get(wanted.lineId) ?? 0;
    if (wanted.quantity > left) {
      return problems.push({
        field: `lines[${index}].quantity`,
        message: left === 0 ? `no unit of line ${wanted.lineId} has shipped and not come back` : `only ${left} unit(s) of line ${wanted.lineId} shipped and have not come back`,
      });
    }
    lines.push({ lineId: line.lineId, sku: line.sku, quantity: wanted.quantity, restock: wanted.restock ?? true });
  });
  if ((order.returns?.length ?? 0) >= MAX_RETURNS_PER_ORDER) problems.push({ field: 'returnId', message: `order ${order.orderId} already has ${MAX_RETURNS_PER_ORDER} returns` });
  if (problems.length) throw new ReturnRefusedError(problems);

  const received: OrderReturn = { returnId: request.returnId, locationId: request.locationId, lines, ...(request.reason ? { reason: request.reason } : {}), receivedAt: at.toISOString() };
  const recorded: Order = { ...order, returns: [...(order.returns ?? []), received] };
  const back = new Map<string, number>();
  for (const ret of recorded.returns!) for (const line of ret.lines) back.set(line.lineId, (back.get(line.lineId) ?? 0) + line.quantity);
  const allBack = order.lines.every((line) => (back.get(line.lineId) ?? 0) >= line.quantity);
  if (allBack && RETURNABLE_FROM.has(order.status)) return { order: transition(recorded, 'RETURNED', at, `return ${received.returnId} received at ${received.locationId}`), received };
  return { order: { ...recorded, updatedAt: received.receivedAt, version: order.version + 1 }, received };
}

export type ReturnDecision = { kind: 'repeat'; order: Order; received: OrderReturn } | { kind: 'change'; change: OrderChange; received: OrderReturn };

/**
 * Receiving a return (pure): a repeat of a recorded return id answers it (another return under the same id is a
 * ReturnConflictError); otherwise the order records it and its restocked units go on-hand at the receiving location,
 * in one change.
 */
export function decideReturn(order: Order, shipments: Shipment[], request: ReturnRequest, at: Date): ReturnDecision {
  const recorded = recordedReturn(order, request.returnId);
  if (recorded) {
    if (!sameReturn(recorded, request)) throw new ReturnConflictError(request.returnId, order.status);
    return { kind: 'repeat', order, received: recorded };
  }
  const next = receiveReturn(order, shipments, request, at);
  const restock = [...restockedUnits(next.received)].map(([sku, quantity]) => ({ locationId: request.locationId, sku, quantity }));
  return { kind: 'change', received: next.received, change: { order: next.order, expectedVersion: order.version, shipments: [], reservations: [], restock } };
}

/** The return id was used before, for another return of the order. */
export class ReturnConflictError extends Error {
  override readonly name = 'ReturnConflictError';
  constructor(
    readonly returnId: string,
    readonly status: OrderStatus,
  ) {
    super(`Return ${returnId} was already received with other lines or at another location (the order is ${status})`);
  }
}

/** Units going back on the shelf, per SKU, at the receiving location. */
export function restockedUnits(received: OrderReturn): Map<string, number> {
  const units = new Map<string, number>();
  for (const line of received.lines) if (line.restock) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity);
  return units;
}

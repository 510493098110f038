/**
 * Returns as RMAs: units a customer sends back, at any of the merchant's own locations (return-anywhere). Pure: the
 * caller passes the order, its shipments, the time and what it looked up (the tenant's return policy, the mail
 * return's destination and label, the exchange order's id). An `in-store` return is received at once; a `mail` return
 * is AUTHORISED first (its units held, so no other return can take them) and received later, where it arrives. Only
 * units that left in a shipment can come back, each once; a received return records its refund, and once every unit
 * of the order is back the order is RETURNED.
 */
import type { OrderChange } from './change.ts';
import { transition, type Order, type OrderReturn, type OrderStatus, type ReturnLabel, type ReturnLine } from './order.ts';
import { computeRefund, DEFAULT_RETURN_POLICY, minorOfRecorded, type ReturnPolicy } from './refund.ts';
import type { Shipment } from './shipment.ts';
import { rateAllServices, haversineKm, type LatLon } from '../carriers/rating.ts';
import type { RateTable } from '../carriers/rate-table.ts';
import type { Location } from '../inventory/location.ts';

export type ReturnMethod = 'in-store' | 'mail';
export type ReturnCondition = 'sellable' | 'damaged';

export interface ReturnRequest {
  returnId: string;
  /** Absent: in-store (the request shape before RMAs). */
  method?: ReturnMethod;
  /** In-store: where the units are received (required). Mail: where the label goes, instead of the best location. */
  locationId?: string;
  lines: Array<{ lineId: string; quantity: number; reason?: string; restock?: boolean; condition?: ReturnCondition }>;
  reason?: string;
  refundTo?: 'original' | 'store-credit';
  exchange?: { lines: Array<{ sku: string; quantity: number }>; shipFirst?: boolean };
}

/** `POST /returns/{returnId}/receive`: what arrived of a mail return, where, and in which condition. */
export interface ReceiptRequest {
  locationId: string;
  lines: Array<{ lineId: string; quantity: number; condition: ReturnCondition }>;
}

/** What the use case looked up for the decision. */
export interface ReturnContext {
  at: Date;
  policy: ReturnPolicy;
  /** Mail: where the return goes (the request's location or the best one) and its label, when one could be quoted. */
  destination?: string;
  label?: ReturnLabel;
  /** The id the exchange order gets (chosen once, recorded with the return, so a retry places the same order). */
  exchangeOrderId?: string;
}

/** A refused return: every problem names the request field it is about. */
export class ReturnRefusedError extends Error {
  override readonly name = 'ReturnRefusedError';
  constructor(readonly problems: Array<{ field: string; message: string }>) {
    super(`The return cannot be accepted: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  }
}

/** The return id was used before, for another return (other lines, place or method), or the return was received otherwise. */
export class ReturnConflictError extends Error {
  override readonly name = 'ReturnConflictError';
  constructor(
    readonly returnId: string,
    readonly status: OrderStatus,
    detail = 'was already used with other lines, another location or method',
  ) {
    super(`Return ${returnId} ${detail} (the order is ${status})`);
  }
}

/** Orders keep their returns on the order item; past this many, the merchant must settle it otherwise. */
export const MAX_RETURNS_PER_ORDER = 50;

/** Units the customer has (or a carrier has for them): shipped, delivered, or handed over at a store. */
const SHIPPED: ReadonlySet<Shipment['status']> = new Set(['SHIPPED', 'DELIVERED', 'PICKED_UP']);
/** Where a fully returned order may end; before shipping, a cancel is the way back. */
const RETURNABLE_FROM: ReadonlySet<OrderStatus> = new Set(['SHIPPED', 'DELIVERED', 'PICKED_UP']);

const statusOf = (ret: OrderReturn) => ret.status ?? 'RECEIVED';
const methodOf = (ret: Pick<OrderReturn, 'method'> | Pick<ReturnRequest, 'method'>): ReturnMethod => ret.method ?? 'in-store';

/**
 * Per line: units that left in a shipment and are neither back nor held by an authorised return (`except` leaves one
 * return out: the units a receipt of that return may take).
 */
export function returnableUnits(order: Pick<Order, 'lines' | 'returns'>, shipments: Shipment[], except?: string): Map<string, number> {
  const units = new Map(order.lines.map((line) => [line.lineId, 0]));
  for (const shipment of shipments) {
    if (!SHIPPED.has(shipment.status)) continue;
    for (const line of shipment.lines) units.set(line.lineId, (units.get(line.lineId) ?? 0) + line.quantity);
  }
  for (const ret of order.returns ?? []) {
    if (ret.returnId === except) continue;
    for (const line of ret.lines) units.set(line.lineId, (units.get(line.lineId) ?? 0) - line.quantity);
  }
  return units;
}

/** The return already recorded under this id, if any (a retried request). */
export function recordedReturn(order: Pick<Order, 'returns'>, returnId: string): OrderReturn | undefined {
  return order.returns?.find((r) => r.returnId === returnId);
}

const exchangeKey = (exchange: ReturnRequest['exchange'] | OrderReturn['exchange']) =>
  exchange ? `${exchange.lines.map((l) => `${l.sku}:${l.quantity}`).join()}|${exchange.shipFirst === true}` : '';

/** True when a repeated request asks for exactly what was recorded (same method, place, lines, conditions and exchange). */
export function sameReturn(recorded: OrderReturn, request: ReturnRequest): boolean {
  if (methodOf(recorded) !== methodOf(request) || exchangeKey(recorded.exchange) !== exchangeKey(request.exchange)) return false;
  if (methodOf(request) === 'mail') {
    const wanted = request.lines.map((l) => `${l.lineId}:${l.quantity}`).sort();
    const got = (recorded.authorisedLines ?? recorded.lines).map((l) => `${l.lineId}:${l.quantity}`).sort();
    return wanted.join() === got.join() && (request.locationId === undefined || request.locationId === recorded.destination);
  }
  const wanted = request.lines.map((l) => `${l.lineId}:${l.quantity}:${restockOf(l)}`).sort();
  const got = recorded.lines.map((l) => `${l.lineId}:${l.quantity}:${l.restock}`).sort();
  return recorded.locationId === request.locationId && wanted.join() === got.join();
}

const restockOf = (line: { restock?: boolean; condition?: ReturnCondition }) => (line.condition ? line.condition === 'sellable' : (line.restock ?? true));

type Problem = { field: string; message: string };

/** Checks wanted units per line against what may come back; the problems name `lines[i].lineId|quantity`. */
function checkLines(order: Order, lines: ReadonlyArray<{ lineId: string; quantity: number }>, returnable: Map<string, number>, problems: Problem[], allowRepeats: boolean) {
  const asked = new Map<string, number>();
  lines.forEach((wanted, index) => {
    const line = order.lines.find((l) => l.lineId === wanted.lineId);
    if (!line) return problems.push({ field: `lines[${index}].lineId`, message: `order ${order.orderId} has no line ${wanted.lineId}` });
    if (!allowRepeats && asked.has(wanted.lineId)) return problems.push({ field: `lines[${index}].lineId`, message: `line ${wanted.lineId} is named twice` });
    const total = (asked.get(wanted.lineId) ?? 0) + wanted.quantity;
    asked.set(wanted.lineId, total);
    const left = returnable.get(wanted.lineId) ?? 0;
    if (total > left) {
      problems.push({
        field: `lines[${index}].quantity`,
        message: left === 0 ? `no unit of line ${wanted.lineId} has shipped and not come back` : `only ${left} unit(s) of line ${wanted.lineId} shipped and have not come back`,
      });
    }
  });
}

export type ReturnDecision =
  | { kind: 'repeat'; order: Order; received: OrderReturn }
  | { kind: 'change'; change: OrderChange; received: OrderReturn };

/**
 * A new return request (pure): a repeat of a recorded return id answers it (another return under the same id is a
 * ReturnConflictError). In-store: received at once at `locationId` (sellable units on-hand there, damaged ones to its
 * damaged count, the refund recorded). Mail: AUTHORISED, its units held until it is received. One change either way.
 */
export function decideReturn(order: Order, shipments: Shipment[], request: ReturnRequest, context: ReturnContext): ReturnDecision {
  const recorded = recordedReturn(order, request.returnId);
  if (recorded) {
    if (!sameReturn(recorded, request)) throw new ReturnConflictError(request.returnId, order.status);
    return { kind: 'repeat', order, received: recorded };
  }
  const problems: Problem[] = [];
  checkLines(order, request.lines, returnableUnits(order, shipments), problems, false);
  if ((order.returns?.length ?? 0) >= MAX_RETURNS_PER_ORDER) problems.push({ field: 'returnId', message: `order ${order.orderId} already has ${MAX_RETURNS_PER_ORDER} returns` });
  const method = methodOf(request);
  if (method === 'in-store' && !request.locationId) problems.push({ field: 'locationId', message: 'an in-store return needs the location that receives it' });
  if (method === 'mail' && !context.destination) problems.push({ field: 'locationId', message: 'no location of the merchant can take this return by mail' });
  if (problems.length) throw new ReturnRefusedError(problems);

  const at = context.at.toISOString();
  const skuOf = (lineId: string) => order.lines.find((l) => l.lineId === lineId)!.sku;
  const base: OrderReturn = {
    returnId: request.returnId,
    method,
    status: 'AUTHORISED',
    locationId: method === 'mail' ? context.destination! : request.locationId!,
    lines: request.lines.map((l) => ({ lineId: l.lineId, sku: skuOf(l.lineId), quantity: l.quantity, restock: restockOf(l), ...(l.reason ? { reason: l.reason } : {}) })),
    ...(request.reason ? { reason: request.reason } : {}),
    refundTo: request.refundTo ?? 'original',
    authorisedAt: at,
    ...(request.exchange && context.exchangeOrderId
      ? { exchange: { orderId: context.exchangeOrderId, lines: request.exchange.lines, shipFirst: request.exchange.shipFirst === true } }
      : {}),
  };
  const guard = { returnGuards: [{ returnId: request.returnId }] };
  if (method === 'mail') {
    const authorised: OrderReturn = {
      ...base,
      destination: context.destination!,
      authorisedLines: base.lines.map(({ restock: _restock, ...line }) => line),
      ...(context.label ? { label: context.label } : {}),
    };
    const next: Order = { ...order, returns: [...(order.returns ?? []), authorised], updatedAt: at, version: order.version + 1 };
    return { kind: 'change', received: authorised, change: { order: next, expectedVersion: order.version, shipments: [], reservations: [], ...guard } };
  }
  const { returnId: _r, status: _s, authorisedAt: _a, ...inStore } = base;
  const received = receive(order, { returnId: request.returnId, status: 'AUTHORISED', ...inStore }, base.lines, base.locationId, context);
  return { kind: 'change', received: received.received, change: { ...received.change, ...guard } };
}

const receiptKey = (lines: ReadonlyArray<{ lineId: string; quantity: number; restock: boolean }>) =>
  lines.map((l) => `${l.lineId}:${l.quantity}:${l.restock}`).sort().join();

/**
 * A mail return arrives (pure): sellable units go on-hand where it was received, damaged ones to that location's
 * damaged count, the refund is recorded, in one change. At most the units shipped and not back may come (the return's
 * own authorisation counts as room). The same receipt again is a repeat; another receipt of a received return is a
 * ReturnConflictError (two receipts at once: one wins).
 */
export function decideReceipt(order: Order, shipments: Shipment[], returnId: string, receipt: ReceiptRequest, context: ReturnContext): ReturnDecision {
  const authorised = recordedReturn(order, returnId);
  if (!authorised) throw new ReturnRefusedError([{ field: 'returnId', message: `order ${order.orderId} has no return ${returnId}` }]);
  const lines: ReturnLine[] = [];
  const problems: Problem[] = [];
  checkLines(order, receipt.lines, returnableUnits(order, shipments, returnId), problems, true);
  if (problems.length === 0) {
    const reasons = new Map((authorised.authorisedLines ?? authorised.lines).map((l) => [l.lineId, l.reason]));
    const merged = new Map<string, ReturnLine>();
    for (const l of receipt.lines) {
      const key = `${l.lineId}\u0000${l.condition}`;
      const reason = reasons.get(l.lineId);
      const line = merged.get(key) ?? { lineId: l.lineId, sku: order.lines.find((o) => o.lineId === l.lineId)!.sku, quantity: 0, restock: l.condition === 'sellable', ...(reason ? { reason } : {}) };
      line.quantity += l.quantity;
      merged.set(key, line);
    }
    lines.push(...merged.values());
  }
  if (statusOf(authorised) === 'RECEIVED') {
    if (authorised.locationId === receipt.locationId && receiptKey(authorised.lines) === receiptKey(lines)) return { kind: 'repeat', order, received: authorised };
    throw new ReturnConflictError(returnId, order.status, `was already received at ${authorised.locationId}${methodOf(authorised) === 'in-store' ? ' (in store)' : ''}`);
  }
  if (problems.length) throw new ReturnRefusedError(problems);
  return { kind: 'change', ...receive(order, authorised, lines, receipt.locationId, context) };
}

/** Records an authorised return as received with these lines at this location: refund, stock moves, RETURNED when all is back. */
function receive(order: Order, authorised: OrderReturn, lines: ReturnLine[], locationId: string, context: ReturnContext): { change: OrderChange; received: OrderReturn } {
  const at = context.at.toISOString();
  const others = (order.returns ?? []).filter((r) => r.returnId !== authorised.returnId);
  const earlier = others.filter((r) => statusOf(r) === 'RECEIVED');
  const refund =
    order.currency !== undefined
      ? computeRefund({
          currency: order.currency,
          orderLines: order.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity, unitPriceMinor: l.unitPriceMinor ?? 0 })),
          shippingChargedMinor: order.shippingChargedMinor ?? 0,
          received: lines,
          earlierUnitsReceived: earlier.reduce((n, r) => n + r.lines.reduce((m, l) => m + l.quantity, 0), 0),
          earlierShippingRefundedMinor: earlier.reduce((n, r) => n + (r.refund ? minorOfRecorded(r.refund.shipping) : 0n), 0n),
          policy: context.policy,
          exchange: authorised.exchange !== undefined,
          refundTo: authorised.refundTo ?? 'original',
        })
      : undefined;
  const received: OrderReturn = { ...authorised, status: 'RECEIVED', locationId, lines, receivedAt: at, ...(refund ? { refund } : {}) };
  const index = (order.returns ?? []).findIndex((r) => r.returnId === authorised.returnId);
  const returns = index < 0 ? [...(order.returns ?? []), received] : (order.returns ?? []).map((r, i) => (i === index ? received : r));
  const recorded: Order = { ...order, returns };
  const back = new Map<string, number>();
  for (const ret of returns) if (statusOf(ret) === 'RECEIVED') for (const line of ret.lines) back.set(line.lineId, (back.get(line.lineId) ?? 0) + line.quantity);
  const allBack = order.lines.every((line) => (back.get(line.lineId) ?? 0) >= line.quantity);
  const next =
    allBack && RETURNABLE_FROM.has(order.status)
      ? transition(recorded, 'RETURNED', context.at, `return ${received.returnId} received at ${locationId}`)
      : { ...recorded, updatedAt: at, version: order.version + 1 };
  const restock = [...unitsBySku(lines, true)].map(([sku, quantity]) => ({ locationId, sku, quantity }));
  const damaged = [...unitsBySku(lines, false)].map(([sku, quantity]) => ({ locationId, sku, quantity }));
  return { received, change: { order: next, expectedVersion: order.version, shipments: [], reservations: [], restock, ...(damaged.length ? { damaged } : {}) } };
}

function unitsBySku(lines: readonly ReturnLine[], restock: boolean): Map<string, number> {
  const units = new Map<string, number>();
  for (const line of lines) if (line.restock === restock) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity);
  return units;
}

/** An in-store return received now under the default policy: the order with it recorded, and the return (for tests and tools). */
export function receiveReturn(order: Order, shipments: Shipment[], request: ReturnRequest, at: Date): { order: Order; received: OrderReturn } {
  const decision = decideReturn(order, shipments, request, { at, policy: DEFAULT_RETURN_POLICY });
  return decision.kind === 'repeat' ? { order: decision.order, received: decision.received } : { order: decision.change.order, received: decision.received };
}

/** Units going back on the shelf, per SKU, at the receiving location. */
export function restockedUnits(received: OrderReturn): Map<string, number> {
  return unitsBySku(received.lines, true);
}

/**
 * Where a mail return goes: the nearest of the merchant's active own locations (no drop-shipper) that stocks the
 * returned SKUs (all of them if one does, else the most of them), else the nearest own location. Undefined when the
 * merchant has none.
 */
export function bestReturnLocation(locations: readonly Location[], from: LatLon | undefined, skus: readonly string[], stocks: (locationId: string, sku: string) => boolean): Location | undefined {
  const own = locations.filter((l) => l.active && l.type !== 'dropship');
  const scored = own.map((location) => ({
    location,
    stocked: skus.filter((sku) => stocks(location.locationId, sku)).length,
    km: from ? haversineKm(from, location.geo) : 0,
  }));
  scored.sort((a, b) => b.stocked - a.stocked || a.km - b.km || (a.location.locationId < b.location.locationId ? -1 : 1));
  return scored[0]?.location;
}

/** The return label: the carrier model's cheapest service from the customer to the return location (ties: the earlier delivery). */
export function quoteReturnLabel(table: RateTable, from: LatLon, to: Location, weightLb: number, at: Date): ReturnLabel | undefined {
  const quotes = rateAllServices(table, { originLatLon: from, destLatLon: to.geo, weightLb: Math.max(0.1, weightLb), shipDate: at });
  const best = [...quotes].sort((a, b) => a.cost - b.cost || (a.promisedDeliveryDate < b.promisedDeliveryDate ? -1 : 1))[0];
  if (!best) return undefined;
  return {
    toLocationId: to.locationId,
    carrier: best.carrier,
    serviceCode: best.serviceCode,
    serviceName: best.serviceName,
    cost: best.cost,
    currency: best.currency,
    distanceKm: best.distanceKm,
    promisedDeliveryDate: best.promisedDeliveryDate,
  };
}

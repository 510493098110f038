import type { LatLon } from '#domain/carriers/rating';
import type { Location } from '#domain/inventory/location';
import type { Order, OrderReturn } from '#domain/orders/order';
import type { PlaceOrderRequest } from '#domain/orders/intake';
import { formatMinor } from '#domain/orders/money';
import { DEFAULT_RETURN_POLICY, type ReturnPolicy } from '#domain/orders/refund';
import {
  bestReturnLocation,
  decideReceipt,
  decideReturn,
  quoteReturnLabel,
  recordedReturn,
  ReturnRefusedError,
  type ReceiptRequest,
  type ReturnContext,
  type ReturnDecision,
  type ReturnRequest,
} from '#domain/orders/returns';
import { NotFoundError, retryOnConflict } from '../errors.ts';
import type { Clock, Geocoder, IdGenerator, LocationStore, SkuNetworkStore } from '../ports.ts';
import type { FulfillmentSettings, NetworkReader } from './fulfillment-ports.ts';
import { loadOrder } from './lifecycle.ts';
import { placeOrder, type PlaceOrderDeps } from './place-order.ts';
import type { OrderStore } from './ports.ts';

export { ReturnConflictError } from '#domain/orders/returns';

/** Where a tenant's return policy is kept (a tenant setting). */
export interface ReturnPolicyStore {
  get(tenantId: string): Promise<ReturnPolicy | undefined>;
  put(tenantId: string, policy: ReturnPolicy, now: Date): Promise<ReturnPolicy>;
}

/** Finds the order a return id belongs to (the guard written with the return). */
export interface ReturnIndex {
  orderOf(tenantId: string, returnId: string): Promise<string | undefined>;
}

export interface ReturnDeps {
  orders: OrderStore;
  returns: ReturnIndex;
  policies: ReturnPolicyStore;
  locations: LocationStore;
  network: NetworkReader;
  networks: SkuNetworkStore;
  settings: Pick<FulfillmentSettings, 'rateTable'>;
  geocoder: Geocoder;
  ids: IdGenerator;
  clock: Clock;
  /** The intake use case's ports: an exchange order is placed exactly as POST /orders places one. */
  intake: PlaceOrderDeps;
}

export class ReturnNotFoundError extends NotFoundError {
  override readonly name = 'ReturnNotFoundError';
  constructor(readonly returnId: string) {
    super(`Return ${returnId} does not exist`);
  }
}

export interface ReturnOutcome {
  order: Order;
  received: OrderReturn;
  repeated: boolean;
  /** The exchange order, once placed. */
  exchangeOrderId?: string;
}

/** The tenant's return policy, or the defaults. */
export async function returnPolicyOf(deps: Pick<ReturnDeps, 'policies'>, tenantId: string): Promise<ReturnPolicy> {
  return (await deps.policies.get(tenantId)) ?? DEFAULT_RETURN_POLICY;
}

/** Replaces the tenant's return policy (one write: two edits at once leave one of them whole). */
export function putReturnPolicy(deps: Pick<ReturnDeps, 'policies' | 'clock'>, tenantId: string, policy: ReturnPolicy): Promise<ReturnPolicy> {
  return deps.policies.put(tenantId, policy, deps.clock.now());
}

/**
 * A return request (an RMA) on an order. In store: received at once at `locationId` (sellable units on-hand there,
 * damaged ones to its damaged count, refund recorded). By mail: authorised, with a label to the best return location.
 * The return, the order and the stock change in one transaction (load -> decide -> save, guarded by the order's
 * version, so concurrent returns of one line cannot together exceed what shipped); idempotent by return id.
 * An exchange order is then placed through intake (now when in store or `shipFirst`, else at receipt).
 */
export async function requestReturn(deps: ReturnDeps, input: { tenantId: string; orderId: string; request: ReturnRequest }): Promise<ReturnOutcome> {
  const { tenantId, request } = input;
  const method = request.method ?? 'in-store';
  if (method === 'in-store' || request.locationId) await checkLocation(deps, tenantId, request.locationId, 'locationId');
  if (request.exchange) await checkExchangeSkus(deps, tenantId, request.exchange.lines);
  const policy = await returnPolicyOf(deps, tenantId);
  const exchangeOrderId = request.exchange ? deps.ids.next('o_') : undefined;
  let mail: Pick<ReturnContext, 'destination' | 'label'> | undefined;
  const outcome = await retryOnConflict(async () => {
    const { order, shipments } = await loadOrder(deps, tenantId, input.orderId);
    const at = deps.clock.now();
    // The label is looked up once (and only for a new mail return): a lost race decides again with the same one.
    if (method === 'mail' && !mail && !recordedReturn(order, request.returnId)) mail = await mailDestination(deps, order, request, at);
    const decision = decideReturn(order, shipments, request, { at, policy, ...mail, ...(exchangeOrderId ? { exchangeOrderId } : {}) });
    return save(deps, decision);
  }, 8);
  return withExchange(deps, outcome, outcome.received.status === 'RECEIVED' || outcome.received.exchange?.shipFirst === true);
}

/**
 * A mail return arrives at a location: received there with each line's condition, the refund recorded, the order
 * RETURNED once every unit is back, in one transaction. Two receipts at once: one wins, the other finds it received
 * (the same receipt: answered as recorded; another: a conflict). The exchange order is placed if it waited.
 */
export async function receiveReturn(deps: ReturnDeps, input: { tenantId: string; returnId: string; receipt: ReceiptRequest }): Promise<ReturnOutcome> {
  const { tenantId, returnId, receipt } = input;
  const orderId = await deps.returns.orderOf(tenantId, returnId);
  if (!orderId) throw new ReturnNotFoundError(returnId);
  await checkLocation(deps, tenantId, receipt.locationId, 'locationId');
  const policy = await returnPolicyOf(deps, tenantId);
  const outcome = await retryOnConflict(async () => {
    const { order, shipments } = await loadOrder(deps, tenantId, orderId);
    return save(deps, decideReceipt(order, shipments, returnId, receipt, { at: deps.clock.now(), policy }));
  }, 8);
  return withExchange(deps, outcome, true);
}

async function save(deps: Pick<ReturnDeps, 'orders'>, decision: ReturnDecision): Promise<ReturnOutcome> {
  if (decision.kind === 'repeat') return { order: decision.order, received: decision.received, repeated: true };
  await deps.orders.commit(decision.change);
  return { order: decision.change.order, received: decision.received, repeated: false };
}

async function checkLocation(deps: Pick<ReturnDeps, 'locations'>, tenantId: string, locationId: string | undefined, field: string): Promise<Location | undefined> {
  if (!locationId) return undefined;
  const location = await deps.locations.get(tenantId, locationId);
  if (!location) throw new ReturnRefusedError([{ field, message: `location ${locationId} does not exist` }]);
  if (location.type === 'dropship') throw new ReturnRefusedError([{ field, message: `${locationId} is a drop-shipper; returns go to the merchant's own locations` }]);
  if (!location.active) throw new ReturnRefusedError([{ field, message: `location ${locationId} is not active` }]);
  return location;
}

async function checkExchangeSkus(deps: Pick<ReturnDeps, 'network'>, tenantId: string, lines: ReadonlyArray<{ sku: string }>): Promise<void> {
  const known = await deps.network.skus(tenantId, lines.map((l) => l.sku));
  const problems = lines.flatMap((line, i) => (known.has(line.sku) ? [] : [{ field: `exchange.lines[${i}].sku`, message: `unknown SKU ${line.sku}: create it with PUT /skus/{sku}` }]));
  if (problems.length) throw new ReturnRefusedError(problems);
}

/** Where the customer's parcel goes (the request's location, or the nearest that stocks the SKUs) and its label. */
async function mailDestination(deps: ReturnDeps, order: Order, request: ReturnRequest, at: Date): Promise<Pick<ReturnContext, 'destination' | 'label'>> {
  const skus = [...new Set(request.lines.map((l) => order.lines.find((o) => o.lineId === l.lineId)?.sku).filter((s): s is string => s !== undefined))];
  const [locations, networks, skuItems, from] = await Promise.all([
    deps.network.locations(order.tenantId),
    deps.networks.getMany(order.tenantId, skus),
    deps.network.skus(order.tenantId, skus),
    customerPoint(deps, order),
  ]);
  const to = request.locationId
    ? locations.find((l) => l.locationId === request.locationId)
    : bestReturnLocation(locations, from, skus, (locationId, sku) => (networks.get(sku)?.locations[locationId]?.onHand ?? 0) > 0 || networks.get(sku)?.locations[locationId] !== undefined);
  if (!to) return {};
  const weightLb = request.lines.reduce((sum, l) => {
    const sku = order.lines.find((o) => o.lineId === l.lineId)?.sku;
    return sum + (sku ? (skuItems.get(sku)?.weightLb ?? 1) : 0) * l.quantity;
  }, 0);
  const label = from ? quoteReturnLabel(await deps.settings.rateTable(order.tenantId), from, to, weightLb, at) : undefined;
  return { destination: to.locationId, ...(label ? { label } : {}) };
}

async function customerPoint(deps: Pick<ReturnDeps, 'geocoder'>, order: Order): Promise<LatLon | undefined> {
  if (order.shipTo.geo) return order.shipTo.geo;
  if (!order.shipTo.postalCode) return undefined;
  return deps.geocoder.locate(order.shipTo.postalCode, order.shipTo.country);
}

/**
 * Places the return's exchange order when it is due, through intake under the id recorded with the return: a retried
 * or concurrent request finds it placed (the id, and an idempotency key of the return), so one return makes one
 * exchange order. The replacement is an even swap: priced orders get the replacement at 0 in the order's currency.
 */
async function withExchange(deps: ReturnDeps, outcome: ReturnOutcome, due: boolean): Promise<ReturnOutcome> {
  const exchange = outcome.received.exchange;
  if (!exchange || !due) return outcome;
  const { order } = outcome;
  const existing = await deps.orders.get(order.tenantId, exchange.orderId);
  if (!existing) {
    const currency = order.currency;
    const request: PlaceOrderRequest = {
      channel: order.channel,
      customer: order.customer,
      shipTo: order.shipTo,
      lines: exchange.lines.map((line, i) => ({
        lineId: `x${i + 1}`,
        sku: line.sku,
        quantity: line.quantity,
        fulfillment: { type: 'ship' as const },
        ...(currency ? { unitPrice: formatMinor(0, currency) } : {}),
      })),
      ...(order.preference ? { preference: order.preference } : {}),
      ...(order.splitPolicy ? { splitPolicy: order.splitPolicy } : {}),
      ...(currency ? { currency, shippingCharged: formatMinor(0, currency) } : {}),
    };
    try {
      await placeOrder(deps.intake, order.tenantId, request, `exchange:${order.orderId}:${outcome.received.returnId}`, {
        orderId: exchange.orderId,
        exchangeFor: { orderId: order.orderId, returnId: outcome.received.returnId },
      });
    } catch (error) {
      // A concurrent repeat of this request placed it first (on AWS two such transactions may conflict outright).
      if (!(await deps.orders.get(order.tenantId, exchange.orderId))) throw error;
    }
  }
  return { ...outcome, exchangeOrderId: exchange.orderId };
}

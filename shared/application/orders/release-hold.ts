import type { Order } from '#domain/orders/order';
import { UnroutableDestinationError, scopeContextOf } from '#domain/orders/planning';
import { decideWait, parkedForRelease, releaseWindowFor } from '#domain/orders/release-window';
import { selectRuleSet } from '#domain/routing/rules';
import type { Clock, Geocoder } from '../ports.ts';
import { routingScopeOf } from '../routing/routing-scope.ts';
import type { FulfillmentSettings, NetworkReader } from './fulfillment-ports.ts';
import type { OrderStore } from './ports.ts';

export type HoldDeps = { orders: OrderStore; network: NetworkReader; settings: FulfillmentSettings; geocoder: Geocoder; clock: Clock };

/**
 * The fulfil step's first question for a new order (issue 17): does it wait for its rule set's release window? Parks
 * it (WAITING_RELEASE with `releaseAt`, under the version read: a second run of the attempt loses the race, is retried
 * and stops) and answers WAITING; answers STOPPED for an order already parked by this attempt or an older one (the
 * release routes it); undefined when it routes at once. A tenant whose rules set no window pays nothing for this: the
 * rules are the cached ones the plan reads anyway, and nothing else is read.
 */
export async function holdForRelease(
  deps: HoldDeps,
  input: { attempt: number; run?: string | undefined },
  order: Order,
  now: Date,
): Promise<{ outcome: 'WAITING' | 'STOPPED'; status: Order['status'] } | undefined> {
  if (parkedForRelease(order, input.attempt)) return { outcome: 'STOPPED', status: order.status };
  if (order.status !== 'ACCEPTED' || order.releaseAt !== undefined) return undefined;
  const rules = await deps.settings.routingRules(order.tenantId);
  if (!rules.ruleSets.some((rs) => (rs.releaseWindowMinutes ?? 0) > 0)) return undefined;
  // The window is the selected rule set's: scope it exactly as the plan will (regions, categories, defaults).
  const skuIds = [...new Set(order.lines.map((l) => l.sku))];
  const [skus, locations, settings, destination] = await Promise.all([
    deps.network.skus(order.tenantId, skuIds),
    deps.network.locations(order.tenantId),
    deps.settings.routingSettings?.(order.tenantId) ?? { customRegions: [] },
    destinationOf(deps, order),
  ]);
  const scope = await routingScopeOf(deps, order, destination, locations, settings);
  const categories = [...new Set(order.lines.flatMap((l) => (skus.get(l.sku)?.category ? [skus.get(l.sku)!.category!] : [])))];
  const ruleSet = selectRuleSet(rules, scopeContextOf(order, categories, scope));
  const decision = releaseWindowFor(order, ruleSet, now, scope.defaults);
  if (!decision.wait) return undefined;
  // A lost race (another run parked it, or a cancellation) is a ConflictError: the workflow retries the step, which
  // then finds the order parked (and stops) or moved (and decides again).
  await deps.orders.commit(decideWait(order, input.attempt, input.run, decision.releaseAt, now));
  return { outcome: 'WAITING', status: 'WAITING_RELEASE' };
}

/** Where the order goes: its coordinates, or its postal code placed by the geocoder (as the plan does). */
export async function destinationOf(deps: { geocoder: Pick<Geocoder, 'locate'> }, order: Order): Promise<{ lat: number; lon: number }> {
  if (order.shipTo.geo) return order.shipTo.geo;
  const located = order.shipTo.postalCode ? await deps.geocoder.locate(order.shipTo.postalCode, order.shipTo.country) : undefined;
  if (!located) throw new UnroutableDestinationError(`Cannot place ${order.shipTo.postalCode ?? 'the address'} (${order.shipTo.country}) on the map`);
  return located;
}

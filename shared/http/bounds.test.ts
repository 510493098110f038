import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_RULE_SETS_BYTES } from '#application/routing/routing-rules';
import { MAX_ADJUSTMENTS } from '#domain/inventory/schemas';
import { MAX_LINES, MAX_UNITS_PER_LINE } from '#domain/orders/intake';
import { MAX_CUSTOM_REGIONS, MAX_REGION_STATES, MAX_REGION_ZIP_PREFIXES } from '#domain/routing/regions';
import { MAX_HOLD_BACKS, MAX_RULE_LIST, MAX_RULE_SETS, ruleSetSchema } from '#domain/routing/rules';
import { operations } from './operations.ts';
import { ValidationError } from './problem.ts';
import { validate } from './request.ts';

/**
 * Every list, string and amount a request carries has an upper bound: exactly at it the request is accepted, one past
 * it the request is a 422 naming the field (what parseBody and queryParameters answer, through the same validate).
 */

const times = <T>(n: number, item: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => item(i));
const text = (length: number) => 'x'.repeat(length);
const ids = (n: number) => times(n, (i) => `loc-${i}`);

/** Why a value is refused: the named fields, or [] when it is accepted. */
function refusedFields(schema: z.ZodType, value: unknown, prefix?: string): string[] {
  try {
    validate(value, schema, prefix);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error.status).toBe(422);
    return error.errors!.map((e) => e.field);
  }
}

interface Bound {
  what: string;
  schema: z.ZodType;
  prefix?: string;
  atBound: unknown;
  pastBound: unknown;
  field: string;
}

const rules = (ruleSet: Record<string, unknown>) => ({ ruleSets: [{ id: 'default', ...ruleSet }] });
const weights = (w: Record<string, number>) => rules({ preferences: { weights: { fastest: w } } });
const rulesBody = operations.putRoutingRules.requestBody;
const settingsBody = operations.putTenantSettings.requestBody;

/** Rule sets whose JSON as stored (defaults filled in) is exactly `bytes` long: long ranked-location ids, then a description. */
function ruleSetsOfBytes(bytes: number) {
  type RuleSet = { id: string; description?: string; rankedLocations: { order: string[]; penaltyPerRank: number } };
  const ruleSets: RuleSet[] = [];
  const stored = (sets: RuleSet[]) => Buffer.byteLength(JSON.stringify(z.array(ruleSetSchema).parse(sets)));
  const sent = (sets: RuleSet[]) => Buffer.byteLength(JSON.stringify(sets));
  const one = [{ id: 'a', rankedLocations: { order: ['b'], penaltyPerRank: 1 } }];
  const defaultsPerSet = stored(one) - sent(one);
  const size = () => sent(ruleSets) + ruleSets.length * defaultsPerSet;
  const emptyDescription = Buffer.byteLength(',"description":""');
  for (let n = 0; ; n++) {
    const fresh = !ruleSets.length || ruleSets.at(-1)!.rankedLocations.order.length === MAX_RULE_LIST;
    if (fresh) ruleSets.push({ id: `set-${ruleSets.length}`, rankedLocations: { order: [], penaltyPerRank: 1 } });
    ruleSets.at(-1)!.rankedLocations.order.push(`${n}-`.padEnd(128, 'x'));
    if (size() + emptyDescription > bytes) {
      if (fresh) ruleSets.pop();
      else ruleSets.at(-1)!.rankedLocations.order.pop();
      break;
    }
  }
  ruleSets.at(-1)!.description = text(bytes - size() - emptyDescription);
  expect(stored(ruleSets)).toBe(bytes);
  return ruleSets;
}

const bounds: Bound[] = [
  // The routing rules document (PUT /routing-rules).
  { what: 'rule sets in a document', schema: rulesBody, atBound: { ruleSets: times(MAX_RULE_SETS, (i) => ({ id: `r${i}` })) }, pastBound: { ruleSets: times(MAX_RULE_SETS + 1, (i) => ({ id: `r${i}` })) }, field: 'ruleSets' },
  { what: 'bytes of a rule document', schema: rulesBody, atBound: { ruleSets: ruleSetsOfBytes(MAX_RULE_SETS_BYTES) }, pastBound: { ruleSets: ruleSetsOfBytes(MAX_RULE_SETS_BYTES + 1) }, field: 'ruleSets' },
  { what: 'a rule set id', schema: rulesBody, atBound: { ruleSets: [{ id: text(128) }] }, pastBound: { ruleSets: [{ id: text(129) }] }, field: 'ruleSets[0].id' },
  { what: 'a rule set description', schema: rulesBody, atBound: rules({ description: text(500) }), pastBound: rules({ description: text(501) }), field: 'ruleSets[0].description' },
  { what: 'excluded locations', schema: rulesBody, atBound: rules({ filters: { excludedLocations: ids(MAX_RULE_LIST) } }), pastBound: rules({ filters: { excludedLocations: ids(MAX_RULE_LIST + 1) } }), field: 'ruleSets[0].filters.excludedLocations' },
  { what: 'scope channels', schema: rulesBody, atBound: { ruleSets: [{ id: 'a', scope: { channels: ids(MAX_RULE_LIST) } }, { id: 'default' }] }, pastBound: { ruleSets: [{ id: 'a', scope: { channels: ids(MAX_RULE_LIST + 1) } }, { id: 'default' }] }, field: 'ruleSets[0].scope.channels' },
  { what: 'ranked locations', schema: rulesBody, atBound: rules({ rankedLocations: { order: ids(MAX_RULE_LIST), penaltyPerRank: 1 } }), pastBound: rules({ rankedLocations: { order: ids(MAX_RULE_LIST + 1), penaltyPerRank: 1 } }), field: 'ruleSets[0].rankedLocations.order' },
  { what: 'the money per rank step', schema: rulesBody, atBound: rules({ rankedLocations: { order: ['a'], penaltyPerRank: 10_000 } }), pastBound: rules({ rankedLocations: { order: ['a'], penaltyPerRank: 10_000.01 } }), field: 'ruleSets[0].rankedLocations.penaltyPerRank' },
  { what: 'a negative money per rank step', schema: rulesBody, atBound: rules({ rankedLocations: { order: ['a'], penaltyPerRank: 0 } }), pastBound: rules({ rankedLocations: { order: ['a'], penaltyPerRank: -0.01 } }), field: 'ruleSets[0].rankedLocations.penaltyPerRank' },
  { what: 'the money per promised day', schema: rulesBody, atBound: weights({ perPromisedDay: 10_000 }), pastBound: weights({ perPromisedDay: 10_000.01 }), field: 'ruleSets[0].preferences.weights.fastest.perPromisedDay' },
  { what: 'the money per kg of CO2', schema: rulesBody, atBound: weights({ perKgCo2: 10_000 }), pastBound: weights({ perKgCo2: 10_000.01 }), field: 'ruleSets[0].preferences.weights.fastest.perKgCo2' },
  { what: 'the cost multiplier', schema: rulesBody, atBound: weights({ cost: 100 }), pastBound: weights({ cost: 100.5 }), field: 'ruleSets[0].preferences.weights.fastest.cost' },
  { what: 'parcels of a split', schema: rulesBody, atBound: rules({ split: { maxParcels: 100 } }), pastBound: rules({ split: { maxParcels: 101 } }), field: 'ruleSets[0].split.maxParcels' },
  { what: 'hold-backs of a rule set', schema: rulesBody, atBound: rules({ holdBack: times(MAX_HOLD_BACKS, () => ({ forChannel: 'web', units: 1 })) }), pastBound: rules({ holdBack: times(MAX_HOLD_BACKS + 1, () => ({ forChannel: 'web', units: 1 })) }), field: 'ruleSets[0].holdBack' },
  { what: 'units held back', schema: rulesBody, atBound: rules({ holdBack: [{ forChannel: 'web', units: 1_000_000_000 }] }), pastBound: rules({ holdBack: [{ forChannel: 'web', units: 1_000_000_001 }] }), field: 'ruleSets[0].holdBack[0].units' },
  { what: 'the channel of a hold-back', schema: rulesBody, atBound: rules({ holdBack: [{ forChannel: text(128), units: 1 }] }), pastBound: rules({ holdBack: [{ forChannel: text(129), units: 1 }] }), field: 'ruleSets[0].holdBack[0].forChannel' },
  { what: 'a rollout share', schema: rulesBody, atBound: { ruleSets: [{ id: 'a', scope: { rollout: 100 } }, { id: 'default' }] }, pastBound: { ruleSets: [{ id: 'a', scope: { rollout: 100.01 } }, { id: 'default' }] }, field: 'ruleSets[0].scope.rollout' },
  { what: 'scope regions', schema: rulesBody, atBound: { ruleSets: [{ id: 'a', scope: { regions: ids(MAX_RULE_LIST) } }, { id: 'default' }] }, pastBound: { ruleSets: [{ id: 'a', scope: { regions: ids(MAX_RULE_LIST + 1) } }, { id: 'default' }] }, field: 'ruleSets[0].scope.regions' },
  { what: 'location regions of a filter', schema: rulesBody, atBound: rules({ filters: { locationRegions: ids(MAX_RULE_LIST) } }), pastBound: rules({ filters: { locationRegions: ids(MAX_RULE_LIST + 1) } }), field: 'ruleSets[0].filters.locationRegions' },
  // The tenant's settings (PUT /tenant/settings) and a SKU's category.
  { what: 'custom regions', schema: settingsBody, atBound: { customRegions: times(MAX_CUSTOM_REGIONS, (i) => ({ id: `r${i}`, states: ['NY'] })) }, pastBound: { customRegions: times(MAX_CUSTOM_REGIONS + 1, (i) => ({ id: `r${i}`, states: ['NY'] })) }, field: 'customRegions' },
  { what: 'states of a custom region', schema: settingsBody, atBound: { customRegions: [{ id: 'r', states: times(MAX_REGION_STATES, () => 'NY') }] }, pastBound: { customRegions: [{ id: 'r', states: times(MAX_REGION_STATES + 1, () => 'NY') }] }, field: 'customRegions[0].states' },
  { what: 'ZIP prefixes of a custom region', schema: settingsBody, atBound: { customRegions: [{ id: 'r', zipPrefixes: times(MAX_REGION_ZIP_PREFIXES, () => '100') }] }, pastBound: { customRegions: [{ id: 'r', zipPrefixes: times(MAX_REGION_ZIP_PREFIXES + 1, () => '100') }] }, field: 'customRegions[0].zipPrefixes' },
  { what: 'a custom region id', schema: settingsBody, atBound: { customRegions: [{ id: text(64), states: ['NY'] }] }, pastBound: { customRegions: [{ id: text(65), states: ['NY'] }] }, field: 'customRegions[0].id' },
  { what: 'a SKU category', schema: operations.putSku.requestBody, atBound: { weightLb: 1, category: text(128) }, pastBound: { weightLb: 1, category: text(129) }, field: 'category' },
  // Lists in queries and bodies.
  { what: 'a page of locations', schema: operations.getLocations.query, prefix: 'query', atBound: { limit: '100' }, pastBound: { limit: '101' }, field: 'query.limit' },
  { what: 'a page of a location\'s stock', schema: operations.getLocationInventory.query, prefix: 'query', atBound: { locationId: 'a', limit: '100' }, pastBound: { locationId: 'a', limit: '101' }, field: 'query.limit' },
  { what: 'a page of orders', schema: operations.listOrders.query, prefix: 'query', atBound: { limit: '100' }, pastBound: { limit: '101' }, field: 'query.limit' },
  { what: 'a page of deliveries', schema: operations.listWebhookDeliveries.query, prefix: 'query', atBound: { limit: '100' }, pastBound: { limit: '101' }, field: 'query.limit' },
  { what: 'a cursor', schema: operations.listOrders.query, prefix: 'query', atBound: { cursor: text(2048) }, pastBound: { cursor: text(2049) }, field: 'query.cursor' },
  { what: 'adjustments in a request', schema: operations.adjustInventory.requestBody, atBound: { adjustments: times(MAX_ADJUSTMENTS, () => ({ locationId: 'a', sku: 'b', delta: 1 })) }, pastBound: { adjustments: times(MAX_ADJUSTMENTS + 1, () => ({ locationId: 'a', sku: 'b', delta: 1 })) }, field: 'adjustments' },
  { what: 'SKU overrides of a channel', schema: operations.putChannel.requestBody, atBound: { skus: Object.fromEntries(times(500, (i) => [`S${i}`, { units: 1 }])) }, pastBound: { skus: Object.fromEntries(times(501, (i) => [`S${i}`, { units: 1 }])) }, field: 'skus' },
  { what: 'event types of a webhook', schema: operations.createWebhook.requestBody, atBound: { url: 'https://example.com/h', events: times(50, () => 'OrderAllocated') }, pastBound: { url: 'https://example.com/h', events: times(51, () => 'OrderAllocated') }, field: 'events' },
  { what: 'lines of an order', schema: operations.placeOrder.requestBody, atBound: { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: times(MAX_LINES, (i) => ({ lineId: `l${i}`, sku: 'A', quantity: 1 })) }, pastBound: { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: times(MAX_LINES + 1, (i) => ({ lineId: `l${i}`, sku: 'A', quantity: 1 })) }, field: 'lines' },
  { what: 'units of an order line', schema: operations.placeOrder.requestBody, atBound: { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'A', quantity: MAX_UNITS_PER_LINE }] }, pastBound: { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'A', quantity: MAX_UNITS_PER_LINE + 1 }] }, field: 'lines[0].quantity' },
  { what: 'lines of a return', schema: operations.receiveReturn.requestBody, atBound: { returnId: 'R', locationId: 'a', lines: times(MAX_LINES, (i) => ({ lineId: `l${i}`, quantity: 1 })) }, pastBound: { returnId: 'R', locationId: 'a', lines: times(MAX_LINES + 1, (i) => ({ lineId: `l${i}`, quantity: 1 })) }, field: 'lines' },
  // Strings and amounts.
  { what: 'a location\'s name', schema: operations.putLocation.requestBody, atBound: { name: text(200), type: 'store', geo: { lat: 0, lon: 0 } }, pastBound: { name: text(201), type: 'store', geo: { lat: 0, lon: 0 } }, field: 'name' },
  { what: 'a location\'s handling cost', schema: operations.putLocation.requestBody, atBound: { name: 'a', type: 'store', geo: { lat: 0, lon: 0 }, handlingCost: 10_000 }, pastBound: { name: 'a', type: 'store', geo: { lat: 0, lon: 0 }, handlingCost: 10_000.01 }, field: 'handlingCost' },
  { what: 'a negative handling cost', schema: operations.putLocation.requestBody, atBound: { name: 'a', type: 'store', geo: { lat: 0, lon: 0 }, handlingCost: 0 }, pastBound: { name: 'a', type: 'store', geo: { lat: 0, lon: 0 }, handlingCost: -0.01 }, field: 'handlingCost' },
  { what: 'a SKU\'s weight', schema: operations.putSku.requestBody, atBound: { weightLb: 10_000 }, pastBound: { weightLb: 10_000.5 }, field: 'weightLb' },
  { what: 'a ship-to name', schema: operations.placeOrder.requestBody, atBound: { channel: 'web', shipTo: { country: 'US', postalCode: '10001', name: text(200) }, lines: [{ lineId: 'l1', sku: 'A', quantity: 1 }] }, pastBound: { channel: 'web', shipTo: { country: 'US', postalCode: '10001', name: text(201) }, lines: [{ lineId: 'l1', sku: 'A', quantity: 1 }] }, field: 'shipTo.name' },
  { what: 'a shipment report\'s reason', schema: operations.rejectShipment.requestBody, atBound: { reason: text(500) }, pastBound: { reason: text(501) }, field: 'reason' },
  { what: 'a webhook\'s description', schema: operations.createWebhook.requestBody, atBound: { url: 'https://example.com/h', events: ['*'], description: text(200) }, pastBound: { url: 'https://example.com/h', events: ['*'], description: text(201) }, field: 'description' },
];

describe('request bounds', () => {
  it.each(bounds)('accepts $what exactly at the bound and refuses one past it as a 422 naming $field', ({ schema, prefix, atBound, pastBound, field }) => {
    expect(refusedFields(schema, atBound, prefix)).toEqual([]);
    expect(refusedFields(schema, pastBound, prefix)).toEqual([field]);
  });
});

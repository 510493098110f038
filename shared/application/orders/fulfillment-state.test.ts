import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.ts';
import { boundedExplanation } from '#domain/orders/planning';
import type { PlannedParcel } from '#domain/orders/planning';
import { MAX_EXCLUDED_PAIRS, type FulfillmentState } from './fulfillment.ts';

// Step Functions passes at most 256 KB between states, and States.DataLimitExceeded cannot be caught: the workflow's
// state must stay bounded whatever the order. The bound: at most 100 lines (intake), at most one parcel per line and
// location within one transaction of the confirm step (<= 98 shipments), a bounded explanation, a snapshot only
// under 32,000 characters.

const STEP_FUNCTIONS_LIMIT = 256 * 1024;

function parcel(i: number): PlannedParcel {
  return {
    tenantId: 't_0123456789abcdef',
    orderId: 'o_0123456789abcdefghijklmnop',
    reservationId: `o_0123456789abcdefghijklmnop-S99-3-${i + 1}`,
    locationId: 'L'.repeat(128),
    locationType: 'warehouse',
    acceptanceHours: 336,
    fulfillment: 'ship',
    lines: [{ lineId: 'l'.repeat(64), sku: 'S'.repeat(128), quantity: 10_000 }],
    weightLb: 123456.78,
    origin: { lat: -89.123456789, lon: -179.123456789 },
    destination: { lat: 89.123456789, lon: 179.123456789 },
    preference: 'balanced',
    vip: true,
    quote: { carrier: 'carrier-with-a-long-name', service: 'service-with-a-long-name', cost: 12345.67, chargedToCustomer: 12345.67, promisedDeliveryDate: '2026-12-31', co2Grams: 1234567, upgraded: true },
  };
}

describe('the fulfilment workflow state', () => {
  it('leaves the order snapshot out of a state that is already large', async () => {
    const { planStateWithSnapshot } = await import('./fulfillment.ts');
    const big = { tenantId: 't', orderId: 'o', attempt: 1, correlationId: 'c'.repeat(20_000), excluded: Array.from({ length: MAX_EXCLUDED_PAIRS }, () => ({ locationId: 'L'.repeat(128), sku: 'S'.repeat(128) })), rounds: 1, outcome: 'PLANNED' as const, parcels: Array.from({ length: 100 }, (_, i) => parcel(i)), explanation: boundedExplanation(Array.from({ length: 100 }, () => 'e'.repeat(400))) };
    const snapshot = { order: JSON.parse(JSON.stringify({ padding: 'p'.repeat(31_000) })), shipments: [] };
    expect(planStateWithSnapshot(big, snapshot).snapshot).toBeUndefined();
    expect(planStateWithSnapshot({ ...big, parcels: big.parcels.slice(0, 2) }, snapshot).snapshot).toBeDefined();
  });

  it('stays under the 256 KB Step Functions limit for the largest order the API accepts', () => {
    const state: FulfillmentState = {
      tenantId: 't_0123456789abcdef',
      orderId: 'o_0123456789abcdefghijklmnop',
      channel: 'c'.repeat(64),
      attempt: 999,
      correlationId: 'x'.repeat(64),
      excluded: Array.from({ length: MAX_EXCLUDED_PAIRS }, () => ({ locationId: 'L'.repeat(128), sku: 'S'.repeat(128) })),
      rounds: 3,
      outcome: 'RESERVED',
      parcels: Array.from({ length: 100 }, (_, i) => parcel(i)),
      explanation: boundedExplanation(Array.from({ length: 10_000 }, () => 'e'.repeat(10_000))),
    };
    // The plan step adds the snapshot only while the whole state stays within its budget: the worst case is without it.
    const bytes = Buffer.byteLength(JSON.stringify({ ...state, error: { Error: 'E'.repeat(200), Cause: 'C'.repeat(32_768) } }), 'utf8');
    expect(bytes).toBeLessThan(STEP_FUNCTIONS_LIMIT);
  });
});

describe('the fulfilment workflow definition', () => {
  it('retries a lost race (ConflictError, by the name the handlers throw) on every Lambda task instead of failing the order', () => {
    const definition = JSON.parse(readFileSync(new URL('../../../state-machines/order-fulfillment.asl.json', import.meta.url), 'utf8')) as { States: Record<string, unknown> };
    const tasks: Array<[string, { Resource?: string; Retry?: Array<{ ErrorEquals: string[] }> }]> = [];
    const walk = (states: Record<string, unknown>) => {
      for (const [name, state] of Object.entries(states) as Array<[string, { Type: string; Resource?: string; ItemProcessor?: { States: Record<string, unknown> } }]>) {
        if (state.Type === 'Task' && state.Resource === 'arn:aws:states:::lambda:invoke' && name !== 'MarkFailed') tasks.push([name, state]);
        if (state.ItemProcessor) walk(state.ItemProcessor.States);
      }
    };
    walk(definition.States);
    expect(tasks.map(([name]) => name).sort()).toEqual(['Fulfil', 'RateShipment', 'ReserveAndConfirm']);
    const conflict = new ConflictError('lost a race').name;
    for (const [name, task] of tasks) expect(task.Retry?.some((r) => r.ErrorEquals.includes(conflict)), name).toBe(true);
  });
});

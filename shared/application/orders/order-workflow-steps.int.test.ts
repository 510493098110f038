import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { dynamoOrderStore } from '../../adapters/dynamodb/order-store.ts';
import { dynamoReservationStore } from '../../adapters/dynamodb/stock-store.ts';
import { fulfillmentDeps } from '../../adapters/orders.ts';
import { confirmAllocation, fulfilOrder, markOrderFailed, rateParcel, reserveAndConfirm, reserveParcels, type FulfillmentDeps, type FulfilInput } from '../../application/orders/fulfillment.ts';
import type { Order } from '../../domain/orders/order.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { oneWarehouseShop } from './test-support.ts';
import { eventually } from '../../../infra/local/tools/testing.ts';

const cloud = useTestCloud();

/**
 * The real adapters, but every allocation is too large for one transaction: the fulfil step claims the attempt and
 * hands back the PLANNED parcels, as it does for a large order, so the long path's steps can be driven one by one.
 */
const twoPhaseDeps: FulfillmentDeps = { ...fulfillmentDeps, allocations: { ...fulfillmentDeps.allocations, reserveAndAllocate: async () => ({ outcome: 'TOO_LARGE' }) } };
/** The fulfil step on the long path: the attempt claimed (ROUTING) and planned, nothing reserved. */
const planLongPath = async (input: FulfilInput) => {
  const planned = await fulfilOrder(twoPhaseDeps, input);
  expect(planned.outcome).toBe('PLANNED');
  return planned;
};

// The workflow's steps driven one by one against the local cloud, on an order stored as ROUTING (attempt 1) so that
// no workflow of its own starts: what a Step Functions retry or a cancellation between two steps does.
async function routingOrder(name: string) {
  const { tenant, api } = await oneWarehouseShop(cloud().apiUrl, name);
  const now = new Date().toISOString();
  const order: Order = {
    tenantId: tenant.tenantId,
    orderId: `o_${name.replace(/\W/g, '').toLowerCase().padEnd(22, '0').slice(0, 22)}`,
    channel: 'web',
    customer: { tier: 'standard' },
    shipTo: { country: 'US', postalCode: '10001' },
    lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 2, fulfillment: { type: 'ship' } }],
    status: 'ROUTING',
    allocations: [],
    backorderedLines: [],
    history: [{ status: 'ACCEPTED', at: now }, { status: 'ROUTING', at: now, reason: 'attempt 1' }],
    attempt: 1,
    createdAt: now,
    updatedAt: now,
    version: 2,
  };
  await dynamoOrderStore.create(order, { requestHash: name });
  const reservation = async (id: string) => (await dynamoReservationStore.get(tenant.tenantId, id))?.status;
  return { api, order, reservation, input: { tenantId: tenant.tenantId, orderId: order.orderId, attempt: 1, correlationId: name } };
}

describe('the fulfilment steps', () => {
  it('carries the order from plan to confirm, and a retried confirm keeps the units its shipments hold', async () => {
    const { order, reservation, input } = await routingOrder('Retry Shop');
    const planned = await planLongPath(input);
    expect(planned.snapshot?.order.version).toBe(order.version);
    const state = await reserveParcels(fulfillmentDeps, planned);
    expect(state.outcome).toBe('RESERVED');

    const first = await confirmAllocation(fulfillmentDeps, state);
    expect(first.status).toBe('ALLOCATED');
    // Step Functions retries the step (its answer was lost): the snapshot is stale now, the order is read again.
    const again = await confirmAllocation(fulfillmentDeps, state);
    expect(again).toEqual({ status: 'ALLOCATED', shipments: first.shipments });
    expect(await reservation(state.parcels[0]!.reservationId)).toBe('PENDING');
  });

  it('releases what it reserved when the order was cancelled between reserve and confirm', async () => {
    const { api, order, reservation, input } = await routingOrder('Cancel Shop');
    const state = await reserveParcels(fulfillmentDeps, await planLongPath(input));
    expect(await reservation(state.parcels[0]!.reservationId)).toBe('PENDING');
    await api.ok('POST', `/orders/${order.orderId}/cancel`, { reason: 'customer changed their mind' });

    const confirmed = await confirmAllocation(fulfillmentDeps, state);
    expect(confirmed).toEqual({ status: 'CANCELLED', shipments: [] });
    expect(await reservation(state.parcels[0]!.reservationId)).toBe('RELEASED');
  });

  it('ends a failed attempt by releasing what it reserved and marking the order FAILED, in that step', async () => {
    const { api, order, reservation, input } = await routingOrder('Failing Shop');
    const state = await reserveParcels(fulfillmentDeps, await planLongPath(input));
    expect(await reservation(state.parcels[0]!.reservationId)).toBe('PENDING');

    const failed = await markOrderFailed(fulfillmentDeps, { ...input, parcels: state.parcels, error: { Error: 'Sandbox.Timedout', Cause: 'internal detail' } });
    expect(failed).toEqual({ status: 'FAILED', released: 1 });
    expect(await reservation(state.parcels[0]!.reservationId)).toBe('RELEASED');
    const view = await api.ok<{ status: string; statusReason: string }>('GET', `/orders/${order.orderId}`);
    expect(view.status).toBe('FAILED');
    expect(view.statusReason).not.toMatch(/Sandbox|internal detail/);
    // Step Functions retries the step: nothing is released twice, the order stays FAILED.
    expect(await markOrderFailed(fulfillmentDeps, { ...input, parcels: state.parcels })).toEqual({ status: 'FAILED', released: 1 });
    expect((await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available).toBe(5);
  });

  it('leaves an order its attempt already decided when the step fails after its write (a timeout before it answered)', async () => {
    const { api, order, reservation, input } = await routingOrder('Timed Out Shop');
    const planned = await fulfilOrder(fulfillmentDeps, input);
    expect(planned.outcome).not.toBe('PLANNED');
    const view = await api.ok<{ status: string; shipments: Array<{ shipmentId: string }> }>('GET', `/orders/${order.orderId}`);
    expect(view.status).toBe('ALLOCATED');
    // The step wrote its decision, then timed out: Step Functions retries it, then its Catch runs for the attempt.
    const caught = await markOrderFailed(fulfillmentDeps, { ...input, error: { Error: 'TimeoutError', Cause: '[AbortError]: The operation was aborted.' } });
    expect(caught).toEqual({ status: 'ALLOCATED', released: 0 });
    const after = await api.ok<{ status: string; shipments: Array<{ shipmentId: string; status: string }> }>('GET', `/orders/${order.orderId}`);
    expect(after.status).toBe('ALLOCATED');
    expect(after.shipments.map((s) => s.status)).toEqual(['REQUESTED']);
    expect(await reservation(after.shipments[0]!.shipmentId)).toBe('PENDING');
    expect((await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available).toBe(3);
  });

  it('lets a stale attempt give back its own reservations but never move an order a later attempt owns', async () => {
    const { api, order, reservation, input } = await routingOrder('Stale Shop');
    const stale = await reserveParcels(fulfillmentDeps, await planLongPath(input));
    // Ops re-drive the order meanwhile: attempt 2 owns it now.
    await api.ok('POST', `/orders/${order.orderId}/retry`);
    const owner = await eventually(async () => {
      const view = await api.ok<{ status: string; history: Array<{ reason?: string }> }>('GET', `/orders/${order.orderId}`);
      return view.status === 'ALLOCATED' ? view : undefined;
    });
    expect(owner.history.map((h) => h.reason)).toContain('attempt 2: retried by ops');

    const late = await markOrderFailed(fulfillmentDeps, { ...input, parcels: stale.parcels, error: { Error: 'States.Timeout' } });
    expect(late.status).toBe('ALLOCATED');
    expect(await reservation(stale.parcels[0]!.reservationId)).toBe('RELEASED');
    expect((await api.ok<{ status: string }>('GET', `/orders/${order.orderId}`)).status).toBe('ALLOCATED');
    const confirmed = await confirmAllocation(fulfillmentDeps, stale);
    expect(confirmed.status).toBe('ALLOCATED');
    expect((await api.ok<{ shipments: unknown[] }>('GET', `/orders/${order.orderId}`)).shipments).toHaveLength(1);
  });

  it('routes an attempt once when Express starts it three times at once: one run owns it, the others stop', async () => {
    const { tenant, api } = await oneWarehouseShop(cloud().apiUrl, 'Express Shop');
    const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 2 }] });
    // OrderAccepted starts a run; at-least-once delivery starts two more with the same event (Express: no name dedupe).
    const sfn = new SFNClient({});
    const stateMachineArn = cloud().stateMachineArns.orderFulfillment;
    const event = { 'detail-type': 'OrderAccepted', detail: { metadata: { tenantId: tenant.tenantId, correlationId: orderId }, data: { orderId, status: 'ACCEPTED', lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 2 }] } } };
    await Promise.all([1, 2].map(() => sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(event) }))));
    await cloud().settle();

    const view = await api.ok<{ status: string; shipments: unknown[]; history: Array<{ status: string }> }>('GET', `/orders/${orderId}`);
    expect(view.status).toBe('ALLOCATED');
    expect(view.shipments).toHaveLength(1);
    expect(view.history.filter((h) => h.status === 'ALLOCATED')).toHaveLength(1);
    const stock = await api.ok<{ locations: Array<{ reserved: number; available: number }> }>('GET', '/inventory/TEE-BLK-M');
    expect(stock.locations[0]).toMatchObject({ reserved: 2, available: 3 });
    const all = (await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000 }))).executions!;
    const described = await Promise.all(all.map((r) => sfn.send(new DescribeExecutionCommand({ executionArn: r.executionArn }))));
    const runs = described.filter((r) => r.input?.includes(orderId));
    expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    // Two of them stopped at the fulfil step: they found the attempt taken by another run.
    const outcomes = runs.map((r) => JSON.parse(r.output!).outcome);
    expect(outcomes.filter((o) => o === 'STOPPED')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'CONFIRMED')).toHaveLength(1);
  });

  it('answers a retried fulfil step (the same run again) by stopping: its attempt already decided, nothing reserved twice', async () => {
    const { api, order, input } = await routingOrder('Fulfil Retry Shop');
    const run = { ...input, run: 'arn:aws:states:us-east-1:000000000000:express:run-1' };
    expect(await fulfilOrder(fulfillmentDeps, run)).toMatchObject({ outcome: 'CONFIRMED', status: 'ALLOCATED' });
    expect(await fulfilOrder(fulfillmentDeps, run)).toMatchObject({ outcome: 'STOPPED', status: 'ALLOCATED' });
    const view = await api.ok<{ shipments: unknown[]; history: Array<{ status: string }> }>('GET', `/orders/${order.orderId}`);
    expect(view.shipments).toHaveLength(1);
    expect(view.history.filter((h) => h.status === 'ALLOCATED')).toHaveLength(1);
    expect((await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available).toBe(3);
  });

  it('reserves and confirms in one transaction, and reserves nothing for an order cancelled after the plan', async () => {
    const { api, order, reservation, input } = await routingOrder('One Step Shop');
    const planned = await planLongPath(input);
    const rated = { ...planned, parcels: await Promise.all(planned.parcels.map((p: Parameters<typeof rateParcel>[1]) => rateParcel(fulfillmentDeps, p))) };
    await api.ok('POST', `/orders/${order.orderId}/cancel`, { reason: 'changed their mind' });

    const stopped = await reserveAndConfirm(fulfillmentDeps, rated);
    expect(stopped).toMatchObject({ outcome: 'STOPPED', status: 'CANCELLED' });
    expect(await reservation(rated.parcels[0]!.reservationId)).toBeUndefined();
    expect((await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available).toBe(5);
  });

  it('answers a retried reserve-and-confirm with the allocation its first call wrote', async () => {
    const { api, order, reservation, input } = await routingOrder('Retry Once Shop');
    const planned = await planLongPath(input);
    const rated = { ...planned, parcels: await Promise.all(planned.parcels.map((p: Parameters<typeof rateParcel>[1]) => rateParcel(fulfillmentDeps, p))) };
    expect(await reserveAndConfirm(fulfillmentDeps, rated)).toMatchObject({ outcome: 'CONFIRMED', status: 'ALLOCATED' });
    // Step Functions retries the step (its answer was lost): nothing is reserved twice.
    expect(await reserveAndConfirm(fulfillmentDeps, rated)).toMatchObject({ outcome: 'CONFIRMED', status: 'ALLOCATED' });
    expect(await reservation(rated.parcels[0]!.reservationId)).toBe('PENDING');
    expect((await api.ok<{ shipments: unknown[] }>('GET', `/orders/${order.orderId}`)).shipments).toHaveLength(1);
    expect((await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available).toBe(3);
  });
});

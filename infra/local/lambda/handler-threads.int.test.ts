// Function threads: the workflows', streams' and queues' handlers run on threads of their own, and an order goes
// through the same way; a handler's answer and its error look the same to the caller wherever it ran.
import { describe, expect, it } from 'vitest';
import { useTestCloud } from '../tools/test-cloud.ts';
import { eventually } from '../tools/testing.ts';
import { oneWarehouseShop } from '../../../shared/application/orders/test-support.ts';
import { LambdaInvocationError, LocalLambdaRuntime } from './lambda-runtime.ts';

const cloud = useTestCloud({ functionThreads: 2 });

const NEW_YORK = { name: 'Ada Lovelace', line1: '1 Main St', city: 'New York', region: 'NY', postalCode: '10001', country: 'US' };

describe('function threads', () => {
  it('route orders placed at once to ALLOCATED, with every background handler on them', async () => {
    for (const id of ['planFulfillment', 'publishTableEvents', 'handleInventoryChanges', 'fanOutWebhooks', 'markOrderFailed'] as const) expect(cloud().runtime.runsElsewhere(id)).toBe(true);
    // Route handlers run on the API's thread, never sent from this one.
    expect(cloud().runtime.runsElsewhere('placeOrder')).toBe(false);
    const { api } = await oneWarehouseShop(cloud().apiUrl, 'Thread Shop');
    const before = cloud().runtime.invocations.get('planFulfillment')!.count;
    const placed = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const response = await api.request<{ orderId: string }>('POST', '/orders', { channel: 'web', externalId: `T-${i}`, shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] });
        expect(response.status, JSON.stringify(response.body)).toBe(202);
        return response.body.orderId;
      }),
    );
    await cloud().settle();
    const statuses = await Promise.all(placed.map(async (id) => (await api.ok<{ status: string }>('GET', `/orders/${id}`)).status));
    expect(statuses).toEqual(Array(5).fill('ALLOCATED'));
    // Counted where they were sent, as the bench's meter and the cost table read them.
    expect(cloud().runtime.invocations.get('planFulfillment')!.count - before).toBeGreaterThanOrEqual(5);
    // The stock the five took is gone everywhere (the projection kept by a stream handler on a thread says so).
    const stock = await eventually(async () => {
      const sku = await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M');
      return sku.available === 0 ? sku : undefined;
    });
    expect(stock.available).toBe(0);
    const heaps = await cloud().heap();
    expect(Object.keys(heaps)).toEqual(expect.arrayContaining(['main', 'functions-1', 'functions-2']));
  });

  it('gives a handler error the same type, message and first frame as a handler run on this thread', async () => {
    const here = new LocalLambdaRuntime();
    const bad = { tenantId: 'T0', orderId: 'not an order id', nonsense: true };
    const [local, threaded] = await Promise.all([
      here.invoke('planFulfillment', bad).then(() => undefined, (e: unknown) => e),
      cloud().runtime.invoke('planFulfillment', bad).then(() => undefined, (e: unknown) => e),
    ]);
    expect(local).toBeInstanceOf(LambdaInvocationError);
    expect(threaded).toBeInstanceOf(LambdaInvocationError);
    const shape = (e: unknown) => {
      const error = e as LambdaInvocationError;
      return { name: error.name, errorType: error.errorType, errorMessage: error.errorMessage, first: error.trace[0]?.replace(/:\d+:\d+\)?$/, '') };
    };
    expect(shape(threaded)).toEqual(shape(local));
    expect((threaded as Error).stack).toContain((threaded as LambdaInvocationError).errorType);
  });

  it('counts an invocation that failed on a thread as an error of its function', async () => {
    const stats = cloud().runtime.invocations.get('markOrderFailed')!;
    const errorsBefore = stats.errors;
    await expect(cloud().runtime.invoke('markOrderFailed', { nonsense: true })).rejects.toBeInstanceOf(LambdaInvocationError);
    expect(stats.errors).toBe(errorsBefore + 1);
  });
});

import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { dynamoOrderStore } from '../../adapters/dynamodb/order-store.ts';
import type { Order } from '../../domain/orders/order.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { eventually } from '../../../infra/local/tools/testing.ts';
import { oneWarehouseShop } from './test-support.ts';

const cloud = useTestCloud();

describe('the stuck-order sweeper', () => {
  it('re-drives an order whose workflow died in ROUTING, and leaves fresh ones alone', async () => {
    const { tenant, api } = await oneWarehouseShop(cloud().apiUrl, 'Sweeper Shop');
    await cloud().settle();

    // An order whose first attempt crashed mid-routing 20 minutes ago: ROUTING, attempt 1, no execution running.
    const longAgo = new Date(Date.now() - 20 * 60_000).toISOString();
    const stuck: Order = {
      tenantId: tenant.tenantId,
      orderId: 'o_0000000000stuck0000001',
      channel: 'web',
      customer: { tier: 'standard' },
      shipTo: { country: 'US', postalCode: '10001' },
      lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1, fulfillment: { type: 'ship' } }],
      status: 'ROUTING',
      allocations: [],
      backorderedLines: [],
      history: [{ status: 'ACCEPTED', at: longAgo }, { status: 'ROUTING', at: longAgo, reason: 'attempt 1' }],
      attempt: 1,
      createdAt: longAgo,
      updatedAt: longAgo,
      version: 2,
    };
    // Its attempt-1 execution ran and ended without moving it (as a crashed run left it): the name is taken.
    await new SFNClient({}).send(
      new StartExecutionCommand({
        stateMachineArn: cloud().stateMachineArns.orderFulfillment,
        name: `${stuck.orderId}-1`,
        input: JSON.stringify({ tenantId: tenant.tenantId, orderId: 'o_0000000000missing00001', attempt: 1, correlationId: 'crashed-run' }),
      }),
    );
    await cloud().settle();
    await dynamoOrderStore.create(stuck, { requestHash: 'stuck' });
    const fresh = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] });
    await eventually(async () => ((await api.ok<{ status: string }>('GET', `/orders/${fresh.orderId}`)).status === 'ALLOCATED' ? true : undefined));
    // Its OrderAccepted did not restart it: a ROUTING order's attempt is started again under its own name, which is taken.
    await cloud().settle();
    expect((await api.ok<{ status: string }>('GET', `/orders/${stuck.orderId}`)).status).toBe('ROUTING');

    const swept = (await cloud().runSchedule('sweepStuckOrders')) as { redriven: number };
    expect(swept.redriven).toBe(1);
    const redriven = await eventually(async () => {
      const order = await api.ok<{ status: string; history: Array<{ status: string; reason?: string }> }>('GET', `/orders/${stuck.orderId}`);
      return order.status === 'ALLOCATED' ? order : undefined;
    });
    expect(redriven.history.map((h) => h.reason)).toContain('attempt 2: stuck past its deadline');
  });
});

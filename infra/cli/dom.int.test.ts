import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { DomApi } from '../local/tools/api-client.ts';
import { useTestCloud } from '../local/tools/test-cloud.ts';
import { createTestTenant, eventually } from '../local/tools/testing.ts';
import { cancelOrderNow, getOrder, listDeadLetters, peekDeadLetters, reconcileNow, redriveDeadLetters, retryOrderNow, type QueueLocation } from './ops.ts';

const cloud = useTestCloud();
const run = promisify(execFile);

const queues = (): QueueLocation[] => Object.entries(cloud().queueUrls).map(([queue, { url, dlqUrl }]) => ({ queue, url, dlqUrl }));
const queue = (id: string) => queues().find((q) => q.queue === id)!;

/** `dom <args>` in a child process, finding this test's cloud through a local.json in a temporary DOM_DATA_DIR. */
async function dom(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dom-cli-'));
  try {
    const c = cloud();
    await writeFile(join(dataDir, 'local.json'), JSON.stringify({ endpoints: c.endpoints, tableName: c.tableName, region: 'us-east-1', queues: c.queueUrls, stateMachines: c.stateMachineArns }));
    const out = await run(process.execPath, ['--import', 'tsx', 'infra/cli/dom.ts', ...args], { env: { ...process.env, DOM_DATA_DIR: dataDir } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
    return out;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('dom orders', () => {
  it('shows a FAILED order, retries it as a new workflow attempt, and cancels it', async () => {
    const { tenantId, apiKey } = await createTestTenant('CLI Shop');
    const api = new DomApi(cloud().apiUrl, apiKey);
    // No carrier takes a 5,000 lb parcel: the order fails (and fails again when retried: the cause is still there).
    await api.ok('PUT', '/skus/ANVIL', { weightLb: 5000 });
    await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
    await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: 'ANVIL', set: 3 }] });
    await cloud().settle();
    const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'ANVIL', quantity: 1 }] });
    const failed = await eventually(async () => {
      const order = await getOrder(tenantId, orderId);
      return order.status === 'FAILED' ? order : undefined;
    }, 30_000);

    const retried = await retryOrderNow(tenantId, orderId);
    const failedAgain = await eventually(async () => {
      const order = await getOrder(tenantId, orderId);
      return order.status === 'FAILED' && order.history.length > failed.history.length ? order : undefined;
    }, 30_000);
    const cancelled = await cancelOrderNow(tenantId, orderId, 'customer changed their mind');

    expect(failed).toMatchObject({ orderId, status: 'FAILED' });
    expect(retried).toMatchObject({ orderId, status: 'ROUTING', attempt: 2 });
    expect(failedAgain.history.slice(failed.history.length).map((h) => h.status)).toEqual(['ROUTING', 'FAILED']);
    expect(cancelled).toMatchObject({ orderId, status: 'CANCELLED' });
  });
});

describe('dom dlq', () => {
  it('counts dead letters, peeks at them without removing them, and redrives them to their queue', async () => {
    const sqs = new SQSClient({});
    const marker = `cli-${Date.now()}`;
    const failures = queue('workflowFailures');
    for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl: failures.dlqUrl, MessageBody: JSON.stringify({ marker, i }) }));

    const listed = await listDeadLetters(queues());
    const peeked = await peekDeadLetters(failures);
    const peekedAgain = await peekDeadLetters(failures);
    const redriven = await redriveDeadLetters(failures);

    expect(listed).toContainEqual({ queue: 'workflowFailures', messages: expect.any(Number), deadLetters: 3 });
    expect(peeked.messages.map((m) => m.body)).toEqual(expect.arrayContaining([0, 1, 2].map((i) => ({ marker, i }))));
    expect(peekedAgain.deadLetters).toBe(3);
    expect(redriven).toMatchObject({ queue: 'workflowFailures', moved: 3, failed: [], deadLettersLeft: 0 });
    const back = await eventually(async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: failures.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      const mine = Messages.filter((m) => m.Body?.includes(marker));
      return mine.length ? mine : undefined;
    });
    expect(back.length).toBeGreaterThan(0);
  });
});

describe('dom reconcile', () => {
  it('reports a tenant whose stock matches its reservations as without drift', async () => {
    const { tenantId } = await createTestTenant('CLI Reconcile');
    expect(await reconcileNow({ tenantId })).toMatchObject({ tenants: 1, drifts: [], corrected: 0, failed: [] });
  });
});

describe('the dom command', () => {
  it('lists the dead-letter queues of the local cloud named in local.json', async () => {
    const { code, stdout } = await dom('dlq', 'list');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toContainEqual(expect.objectContaining({ queue: 'webhookDeliveries', deadLetters: expect.any(Number) }));
  });

  it('answers a usage error with exit code 2', async () => {
    const missingTenant = await dom('orders', 'get', 'o_1');
    const unknownQueue = await dom('dlq', 'redrive', 'nope');
    expect([missingTenant.code, unknownQueue.code]).toEqual([2, 2]);
    expect(JSON.parse(missingTenant.stderr).error).toMatch(/--tenant/);
    expect(JSON.parse(unknownQueue.stderr).error).toMatch(/no queue "nope"/);
  });
});

describe('dom demand import', () => {
  it('imports a file of more rows than one request takes, names bad lines with exit code 2, and sets rather than adds when run again', async () => {
    const { tenantId } = await createTestTenant('CLI Demand Shop');
    const { dynamoDemandStore } = await import('../../shared/adapters/dynamodb/demand-store.ts');
    const dir = await mkdtemp(join(tmpdir(), 'dom-demand-'));
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const rows = Array.from({ length: 6000 }, (_, i) => `${day(1 + (i % 600))},SKU-${Math.floor(i / 600)},L1,${i % 5}`);
    const good = join(dir, 'history.csv');
    await writeFile(good, ['date,sku,locationId,units', ...rows].join('\n'));
    try {
      const first = await dom('demand', 'import', good, '--tenant', tenantId);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ rows: 6000, skus: 10, locations: 1, parts: 2 });
      expect((await dom('demand', 'import', good, '--tenant', tenantId)).code).toBe(0);
      const sku0 = await dynamoDemandStore.locationHistory(tenantId, 'SKU-0');
      expect([...sku0[0]!.days.values()].reduce((a, b) => a + b, 0)).toBe(Array.from({ length: 600 }, (_, i) => i % 5).reduce((a, b) => a + b, 0));

      const bad = join(dir, 'bad.csv');
      await writeFile(bad, ['date,sku,locationId,units', `${day(1)},NEW-SKU,L1,2`, `${day(1)},NEW-SKU,L1,x`].join('\n'));
      const refused = await dom('demand', 'import', bad, '--tenant', tenantId);
      expect(refused.code).toBe(2);
      expect(JSON.parse(refused.stderr).error).toMatch(/line 3\.units/);
      expect(await dynamoDemandStore.locationHistory(tenantId, 'NEW-SKU')).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

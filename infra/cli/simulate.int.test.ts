import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DomApi } from '../local/tools/api-client.ts';
import { seedDemoNetwork } from '../local/tools/demo-network.ts';
import { useTestCloud } from '../local/tools/test-cloud.ts';
import { createTestTenant, eventually } from '../local/tools/testing.ts';

const cloud = useTestCloud();
const run = promisify(execFile);

/** `dom <args>` in a child process, finding this test's cloud through a local.json in a temporary DOM_DATA_DIR. */
async function dom(args: string[], files: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dom-simulate-'));
  try {
    const c = cloud();
    await writeFile(join(dataDir, 'local.json'), JSON.stringify({ apiUrl: c.apiUrl, endpoints: c.endpoints, tableName: c.tableName, region: 'us-east-1', queues: c.queueUrls, stateMachines: c.stateMachineArns }));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dataDir, name), text);
    const resolved = args.map((a) => (a in files ? join(dataDir, a) : a));
    return await run(process.execPath, ['--import', 'tsx', 'infra/cli/dom.ts', ...resolved], { env: { ...process.env, DOM_DATA_DIR: dataDir }, maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function shopWithOrders(name: string, orders: number) {
  const { tenantId, apiKey } = await createTestTenant(name);
  const api = new DomApi(cloud().apiUrl, apiKey);
  await api.ok('PUT', '/locations/brooklyn-wh', { name: 'Brooklyn', type: 'warehouse', address: { postalCode: '11222', country: 'US' } });
  await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
  await api.ok('PUT', '/skus/TEE-BLK-M', { weightLb: 0.4 });
  await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'brooklyn-wh', sku: 'TEE-BLK-M', set: 50 }, { locationId: 'olean-wh', sku: 'TEE-BLK-M', set: 50 }] });
  await cloud().settle();
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  const ids = [];
  for (let i = 0; i < orders; i++) {
    ids.push((await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', shipTo: { country: 'US', postalCode: '10001' }, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 }] })).orderId);
  }
  for (const id of ids) await eventually(async () => ((await api.ok<{ status: string }>('GET', `/orders/${id}`)).status === 'ALLOCATED' ? true : undefined), 30_000);
  return { tenantId, api, from: startedAt, to: new Date(Date.now() + 60_000).toISOString() };
}

describe('dom simulate', () => {
  it('replays a period under a rules file and prints the report; --shadow prints the shadow KPIs', async () => {
    const { tenantId, from, to } = await shopWithOrders('CLI What-if Shop', 3);
    const rules = JSON.stringify({ ruleSets: [{ id: 'olean-only', filters: { excludedLocations: ['brooklyn-wh'] } }] });
    const out = await dom(['simulate', '--tenant', tenantId, '--rules', 'candidate.json', '--from', from, '--to', to, '--channel', 'WEB'], { 'candidate.json': rules });
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as { comparison: { decisions: number; changed: number }; biggestChanges: Array<{ after: { alloc: string[][] } }> };
    expect(report.comparison.decisions).toBe(3);
    // Brooklyn is nearest to 10001: every order moves to Olean.
    expect(report.comparison.changed).toBe(3);
    expect(report.biggestChanges.every((c) => c.after.alloc.every(([at]) => at === 'olean-wh'))).toBe(true);

    const shadow = await dom(['simulate', '--tenant', tenantId, '--shadow', '--from', from, '--to', to]);
    expect(shadow.code, shadow.stderr).toBe(0);
    expect(JSON.parse(shadow.stdout)).toMatchObject({ decisions: 0, changed: 0 });
  });

  it('refuses a bad command line with exit code 2 naming what is wrong', async () => {
    const { tenantId } = await createTestTenant('CLI Bad Shop');
    const now = new Date().toISOString();
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['simulate', '--tenant', tenantId, '--from', now, '--to', now], {}, /--rules/],
      [['simulate', '--tenant', tenantId, '--rules', 'r.json', '--from', now, '--to', now], { 'r.json': '{"ruleSets": [' }, /not JSON/],
      [['simulate', '--tenant', tenantId, '--rules', 'r.json', '--from', now, '--to', now], { 'r.json': '[{"id":"x"}]' }, /to: must be after from/],
      [['simulate', '--tenant', tenantId, '--rules', 'r.json', '--from', 'soon', '--to', now], { 'r.json': '[{"id":"x"}]' }, /from: must be an ISO 8601/],
      [['simulate', '--rules', 'r.json', '--from', now, '--to', now], { 'r.json': '[]' }, /--tenant/],
      [['simulate', '--peak', '--orders-per-minute', 'lots', '--minutes', '1'], {}, /--orders-per-minute/],
    ];
    for (const [args, files, message] of cases) {
      const out = await dom(args, files);
      expect(out.code, `${args.join(' ')}: ${out.stderr}`).toBe(2);
      expect(out.stderr).toMatch(message);
    }
  });

  it('drives a synthetic peak through the API and reports its KPIs', async () => {
    const { apiKey } = await createTestTenant('CLI Peak Shop');
    await seedDemoNetwork(new DomApi(cloud().apiUrl, apiKey));
    await cloud().settle();
    const out = await dom(['simulate', '--peak', '--orders-per-minute', '120', '--minutes', '0.25', '--key', apiKey, '--settle-seconds', '60']);
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as {
      offered: { orders: number };
      intake: { accepted: number; refused: number; acceptP99Ms: number };
      settled: number;
      unsettled: number;
      perMinute: Array<{ accepted: number; allocated: number }>;
      timeToAllocate: { orders: number; p50Ms: number; p99Ms: number };
      parcelsPerOrder: number;
      shippingCostPerOrder: number;
    };
    expect(report.offered.orders).toBe(30);
    expect(report.intake).toMatchObject({ accepted: 30, refused: 0 });
    expect(report.settled).toBe(30);
    expect(report.unsettled).toBe(0);
    expect(report.perMinute.reduce((n, m) => n + m.accepted, 0)).toBe(30);
    expect(report.timeToAllocate.orders).toBeGreaterThan(20);
    expect(report.timeToAllocate.p99Ms).toBeGreaterThanOrEqual(report.timeToAllocate.p50Ms);
    expect(report.parcelsPerOrder).toBeGreaterThanOrEqual(1);
    expect(report.shippingCostPerOrder).toBeGreaterThan(0);
  }, 180_000);
});

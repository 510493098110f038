import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomApi } from '../local/tools/api-client.ts';
import { useTestCloud } from '../local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../local/tools/testing.ts';
import { OPS_CONSOLE_PATH } from './build.ts';

/**
 * The ops console in a real headless browser (Debian's chromium driven by playwright-core) against the local cloud:
 * find a FAILED order, open its execution history, retry it and see it ALLOCATED. Without a browser the test says why
 * it skipped (scripts/install-browser.sh installs one; .ci/run calls it). `UPDATE_SCREENSHOT=1` writes
 * docs/ops-console.png from the order page.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const cloud = useTestCloud();
const NEW_YORK = { country: 'US', postalCode: '10001' };
/** The routing function's SKU cache (fulfillment-store.ts) plus a margin. */
const SKU_CACHE_WAIT_MS = 31_000;

let browser: Browser | undefined;
let unavailable: string | undefined = existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (run scripts/install-browser.sh, or set CHROMIUM_PATH)`;
let receiver: Server;
let receiverUrl: string;

beforeAll(async () => {
  receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  if (unavailable) return;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  } catch (error) {
    unavailable = `${CHROMIUM} could not be started: ${(error as Error).message.split('\n')[0]}`;
  }
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

function skipWithoutBrowser(context: { skip: (note?: string) => void }): Browser {
  if (!browser) {
    const reason = `ops console browser test skipped: ${unavailable}`;
    console.warn(reason);
    context.skip(reason);
  }
  return browser!;
}

async function connect(page: Page, apiKey: string): Promise<void> {
  await page.goto(`${cloud().apiUrl}${OPS_CONSOLE_PATH}/`);
  // The API URL defaults to the page's own origin: the local API shares the gateway's port.
  await expect.poll(() => page.inputValue('input[name=apiUrl]')).toBe(cloud().apiUrl);
  await page.fill('input[name=apiKey]', apiKey);
  await page.click('form#connect button[type=submit]');
  await page.waitForSelector('#nav:not([hidden])');
}

async function orderOf(api: DomApi, orderId: string, accept: (o: OrderView) => boolean): Promise<OrderView> {
  return eventually(async () => {
    const order = await api.ok<OrderView>('GET', `/orders/${orderId}`);
    return accept(order) ? order : undefined;
  }, 30_000);
}

describe('the ops console in a browser', () => {
  it('finds a FAILED order, shows its execution history, retries it and sees it ALLOCATED', async (context) => {
    const b = skipWithoutBrowser(context);
    const tenant = await createTestTenant('Console Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    // No carrier takes a 5,000 lb parcel: the order fails. The weight is corrected before the retry.
    await api.ok('PUT', '/skus/ANVIL', { weightLb: 5000 });
    await api.ok('PUT', '/skus/TEE-BLK-M', { weightLb: 0.4 });
    await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
    await api.ok('PUT', '/locations/brooklyn-wh', { name: 'Brooklyn', type: 'warehouse', address: { postalCode: '11201', country: 'US' } });
    await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: 'ANVIL', set: 3 }, { locationId: 'olean-wh', sku: 'TEE-BLK-M', set: 20 }, { locationId: 'brooklyn-wh', sku: 'TEE-BLK-M', set: 1 }] });
    await api.ok('POST', '/webhooks', { url: receiverUrl, events: ['*'] });
    await cloud().settle();
    for (let i = 0; i < 3; i++) await api.ok('POST', '/orders', { channel: i ? 'web' : 'marketplace', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1 + i }] });
    const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', {
      channel: 'web', externalId: 'WEB-1001', customer: { email: 'ana@example.com' }, shipTo: NEW_YORK,
      lines: [{ lineId: 'l1', sku: 'ANVIL', quantity: 1 }, { lineId: 'l2', sku: 'TEE-BLK-M', quantity: 2 }],
    });
    await orderOf(api, orderId, (o) => o.status === 'FAILED');
    await api.ok('PUT', '/skus/ANVIL', { weightLb: 5 });
    const fixedAt = Date.now();

    const page = await b.newPage({ viewport: { width: 1360, height: 1000 } });
    try {
      await connect(page, tenant.apiKey);
      await page.click('#nav a[href="#/failures"]');
      const row = page.locator(`#failed tr[data-order="${orderId}"]`);
      await row.waitFor();
      expect(await row.textContent()).toContain('No carrier service');
      await row.locator('a').click();

      await page.waitForSelector('#executions article.execution');
      expect(await page.textContent('h2 .badge')).toBe('FAILED');
      const execution = page.locator('#executions article.execution').first();
      expect(await execution.locator('header .badge').first().textContent()).toBe('FAILED');
      const fulfil = execution.locator('table.steps tr', { hasText: 'Fulfil' }).first();
      expect(await fulfil.textContent()).toContain('UnroutableDestinationError');
      await execution.locator('button.toggle-events').click();
      const events = execution.locator('table.events');
      await events.waitFor({ state: 'visible' });
      expect(await events.textContent()).toContain('ExecutionFailed');

      // The routing function keeps a SKU's weight 30 s: the retry comes once the corrected weight is what it reads.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, fixedAt + SKU_CACHE_WAIT_MS - Date.now())));
      await page.click('#retry');
      await page.waitForFunction(() => document.querySelector('h2 .badge')?.textContent === 'ALLOCATED', undefined, { timeout: 30_000 });
      expect(await page.locator('#executions article.execution').count()).toBe(2);
      expect(await page.textContent('.explanation')).toMatch(/runner-up|Runner-up|only/i);
      // The webhook deliveries of the order's events (each delivery names its order) follow by a moment.
      await eventually(async () => {
        const { items } = await api.ok<{ items: Array<{ webhookId: string }> }>('GET', '/webhooks');
        const { items: deliveries } = await api.ok<{ items: Array<{ orderId?: string; eventType: string; status: string }> }>('GET', `/webhooks/${items[0]!.webhookId}/deliveries?limit=100`);
        return deliveries.some((d) => d.orderId === orderId && d.eventType === 'OrderAllocated' && d.status === 'DELIVERED') ? true : undefined;
      }, 20_000);
      await page.click('#refresh');
      await page.waitForSelector('ol.timeline li.t-webhook');
      expect(await page.textContent('ol.timeline')).toContain('OrderAllocated');
      if (process.env.UPDATE_SCREENSHOT === '1') await page.screenshot({ path: join(process.cwd(), 'docs/ops-console.png'), fullPage: true });
      expect((await api.ok<OrderView>('GET', `/orders/${orderId}`)).status).toBe('ALLOCATED');
    } finally {
      await page.close();
    }
  }, 120_000);

  it('searches orders, draws the KPI charts, and shows another tenant nothing of this one', async (context) => {
    const b = skipWithoutBrowser(context);
    const tenant = await createTestTenant('Console KPI Shop');
    const other = await createTestTenant('Console Other Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    await api.ok('PUT', '/skus/TEE-BLK-M', { weightLb: 0.4 });
    await api.ok('PUT', '/locations/olean-wh', { name: 'Olean', type: 'warehouse', address: { postalCode: '14760', country: 'US' } });
    await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: 'olean-wh', sku: 'TEE-BLK-M', set: 2 }] });
    await cloud().settle();
    const { orderId } = await api.ok<{ orderId: string }>('POST', '/orders', { channel: 'web', externalId: 'Shop.Order-7', shipTo: NEW_YORK, lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 3 }] });
    await orderOf(api, orderId, (o) => !['ACCEPTED', 'ROUTING'].includes(o.status));

    const page = await b.newPage({ viewport: { width: 1360, height: 1000 } });
    try {
      await connect(page, tenant.apiKey);
      await page.fill('#search input[name=q]', 'Shop.Order-7');
      await page.click('#search button');
      await page.waitForSelector(`#rows tr[data-order="${orderId}"]`);
      await page.click('#nav a[href="#/kpis"]');
      await page.waitForSelector('#kpis svg.chart polyline');
      expect(await page.textContent('#kpis')).toContain('PARTIALLY_ALLOCATED');

      // A dead-lettered delivery of this tenant, redriven from the page.
      await new SQSClient({}).send(new SendMessageCommand({
        QueueUrl: cloud().queueUrls.webhookDeliveries.dlqUrl,
        MessageBody: JSON.stringify({ tenantId: tenant.tenantId, webhookId: 'wh_gone', deliveryId: 'd1', eventId: 'e1', eventType: 'OrderShipped', occurredAt: new Date().toISOString(), body: '{}' }),
      }));
      await page.click('#nav a[href="#/failures"]');
      await page.click('#dead button.redrive[data-queue="webhookDeliveries"]');
      await page.waitForSelector('#redrive-result .ok');
      expect(await page.textContent('#redrive-result')).toContain('1 moved back to webhookDeliveries');

      await page.click('#disconnect');
      await connect(page, other.apiKey);
      await page.fill('#search input[name=q]', orderId);
      await page.click('#search button');
      await page.waitForSelector('#rows td.empty');
      await page.goto(`${cloud().apiUrl}${OPS_CONSOLE_PATH}/#/order/${orderId}`);
      await page.waitForSelector('p.error');
      expect(await page.textContent('p.error')).toContain('404');
    } finally {
      await page.close();
    }
  });

  it('serves the page and its script from the gateway, with no key and nothing from elsewhere', async () => {
    const page = await fetch(`${cloud().apiUrl}${OPS_CONSOLE_PATH}`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    const html = await fetch(`${cloud().apiUrl}${OPS_CONSOLE_PATH}/`).then((r) => r.text());
    const script = await fetch(`${cloud().apiUrl}${OPS_CONSOLE_PATH}/app.js`);
    expect(html).toContain('<script src="app.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await script.text()).length).toBeLessThan(100_000);
    expect((await fetch(`${cloud().apiUrl}${OPS_CONSOLE_PATH}/nothing.js`)).status).toBe(404);
  });
});

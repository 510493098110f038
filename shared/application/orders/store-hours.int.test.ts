import { describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';
import { expectMatchesContract } from '../../http/contract-validator.ts';

// Issue 14, part 3: a store's opening hours and time zone move its pickup promises and its parcels' hand-over.

const cloud = useTestCloud();
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY = 86_400_000;
const STORE = 'Store.Chelsea-01';

const always = Object.fromEntries(WEEKDAYS.map((d) => [d, [{ opens: '00:00', closes: '24:00' }]]));
/** Open 09:00-17:00 UTC on one weekday only: the one `days` days from today (UTC), so the store is closed until then. */
const onlyIn = (days: number) => ({ [WEEKDAYS[new Date(Date.now() + days * DAY).getUTCDay()]!]: [{ opens: '09:00', closes: '17:00' }] });

const storeBody = (extra: Record<string, unknown>) => ({
  name: 'Chelsea',
  type: 'store',
  address: { postalCode: '10001', country: 'US' },
  capabilities: { ship: true, pickup: true },
  ...extra,
});

/** The router keeps a tenant's locations 30 s per container (fulfillment-store.ts): a change of hours applies after that. */
const LOCATION_CACHE_MS = 30_000;

async function shop(name: string, openingHours: Record<string, unknown> = always): Promise<DomApi> {
  const tenant = await createTestTenant(name);
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('PUT', '/skus/TEE-BLK-M', { weightLb: 0.4 });
  await api.ok('PUT', `/locations/${STORE}`, storeBody({ openingHours, timeZone: 'UTC', handlingMinutes: 30 }));
  await api.ok('POST', '/inventory/adjustments', { adjustments: [{ locationId: STORE, sku: 'TEE-BLK-M', set: 20 }] });
  await eventually(async () => ((await api.ok<{ available: number }>('GET', '/inventory/TEE-BLK-M')).available === 20 ? true : undefined));
  await cloud().settle();
  return api;
}

type Promised = OrderView['shipments'][number] & { readyBy?: string };

async function promiseOf(api: DomApi, fulfillment: Record<string, unknown>): Promise<Promised> {
  const placed = await api.request<{ orderId: string }>('POST', '/orders', {
    channel: 'web',
    shipTo: { country: 'US', postalCode: '10001' },
    lines: [{ lineId: 'l1', sku: 'TEE-BLK-M', quantity: 1, fulfillment }],
  });
  expect(placed.status, JSON.stringify(placed.body)).toBe(202);
  const order = await eventually(async () => {
    const view = await api.ok<OrderView>('GET', `/orders/${placed.body.orderId}`);
    return view.shipments.length ? view : undefined;
  }, 30_000);
  return order.shipments[0] as Promised;
}

describe('store hours', () => {
  it('promises a pickup for when the store is open and has done its handling, and a change of hours moves the promise', { timeout: 120_000 }, async () => {
    const api = await shop('Hours Shop');
    const before = Date.now();
    const open = await promiseOf(api, { type: 'pickup', locationId: STORE });
    // Open round the clock with 30 minutes of handling: ready half an hour after the order was planned.
    expect(Date.parse(open.readyBy!)).toBeGreaterThanOrEqual(before + 30 * 60_000);
    expect(Date.parse(open.readyBy!)).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
    expect(open.promisedDeliveryDate).toBe(open.readyBy!.slice(0, 10));

    // The store now opens only three days from now, 09:00-17:00: the next pickup is ready at 09:30 that day.
    const changed = await api.request('PUT', `/locations/${STORE}`, storeBody({ openingHours: onlyIn(3), timeZone: 'UTC', handlingMinutes: 30 }));
    expectMatchesContract('PUT', `/locations/${STORE}`, changed);
    expect(changed.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, LOCATION_CACHE_MS + 500));
    const later = await promiseOf(api, { type: 'pickup', locationId: STORE });
    const day = new Date(Date.now() + 3 * DAY).toISOString().slice(0, 10);
    expect(later.readyBy).toBe(`${day}T09:30:00.000Z`);
    expect(later.promisedDeliveryDate).toBe(day);
  });

  it('hands a ship-from-store parcel to the carrier only once the store is open: its delivery promise moves out', async () => {
    const [openShop, closedShop] = await Promise.all([shop('Open Store Shop'), shop('Closed Store Shop', onlyIn(4))]);
    const [open, closed] = await Promise.all([promiseOf(openShop, { type: 'ship' }), promiseOf(closedShop, { type: 'ship' })]);
    expect(open.locationId).toBe(STORE);
    expect(closed.locationId).toBe(STORE);
    // The closed store hands it over on day 4 at the earliest, later than any business day the open one ships on.
    expect(closed.promisedDeliveryDate! > open.promisedDeliveryDate!).toBe(true);
    expect(closed.promisedDeliveryDate! >= new Date(Date.now() + 4 * DAY).toISOString().slice(0, 10)).toBe(true);
  });

  it('shows the hours and the zone in its canonical spelling, and removes them with a PUT that leaves them out', async () => {
    const api = await shop('Zone Shop');
    const put = await api.request<{ timeZone?: string; openingHours?: unknown }>('PUT', `/locations/${STORE}`, storeBody({ openingHours: { mon: [{ opens: '09:00', closes: '12:00' }, { opens: '13:00', closes: '24:00' }] }, timeZone: 'america/new_york' }));
    expect(put.status).toBe(200);
    expect(put.body.timeZone).toBe('America/New_York');
    expect(put.body.openingHours).toEqual({ mon: [{ opens: '09:00', closes: '12:00' }, { opens: '13:00', closes: '24:00' }] });
    const bare = await api.ok<{ timeZone?: string; openingHours?: unknown }>('PUT', `/locations/${STORE}`, storeBody({}));
    expect(bare.timeZone).toBeUndefined();
    expect(bare.openingHours).toBeUndefined();
  });

  it.each([
    ['an unknown time zone', { openingHours: always, timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ['an offset instead of a zone', { openingHours: always, timeZone: '+05:30' }, 'timeZone'],
    ['hours without a zone', { openingHours: always }, 'timeZone'],
    ['a time that is not HH:MM', { openingHours: { mon: [{ opens: '9am', closes: '17:00' }] }, timeZone: 'UTC' }, 'openingHours.mon[0].opens'],
    ['closing before opening', { openingHours: { tue: [{ opens: '18:00', closes: '09:00' }] }, timeZone: 'UTC' }, 'openingHours.tue[0].closes'],
    ['overlapping intervals', { openingHours: { wed: [{ opens: '09:00', closes: '13:00' }, { opens: '12:00', closes: '18:00' }] }, timeZone: 'UTC' }, 'openingHours.wed[1].opens'],
    ['handling beyond a day', { openingHours: always, timeZone: 'UTC', handlingMinutes: 1441 }, 'handlingMinutes'],
  ])('refuses %s with a 422 naming the field, and keeps the location as it was', async (_, extra, field) => {
    const api = await shop('Bad Hours Shop');
    const response = await api.request<{ errors: Array<{ field: string }> }>('PUT', `/locations/${STORE}`, storeBody(extra));
    expectMatchesContract('PUT', `/locations/${STORE}`, response);
    expect(response.status).toBe(422);
    expect(response.body.errors.map((e) => e.field)).toContain(field);
    const stored = await api.ok<{ timeZone?: string; handlingMinutes?: number }>('GET', `/locations/${STORE}`);
    expect(stored).toMatchObject({ timeZone: 'UTC', handlingMinutes: 30 });
  });
});

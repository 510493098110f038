import { describe, expect, it } from 'vitest';
import {
  haversineKm,
  rateAllServices,
  rateService,
  ServiceUnavailableError,
  UnknownServiceError,
  zoneFor,
  type RateRequest,
} from './rating.ts';
import { at, ORIGIN, testTable } from './test-fixtures.ts';

const table = testTable();
// 2026-03-04 is a Wednesday; the fixture's zone is UTC, so these instants read as local times.
const WED_10AM = new Date('2026-03-04T10:00:00Z');
const req = (over: Partial<RateRequest> = {}): RateRequest => ({
  originLatLon: ORIGIN,
  destLatLon: at(50),
  weightLb: 1,
  shipDate: WED_10AM,
  ...over,
});
const ground = (over: Partial<RateRequest> = {}) => rateService(table, 'ACME_GROUND', req(over));

describe('distance and zones', () => {
  it('measures one degree of longitude on the equator as about 111.2 km', () => {
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(111.195, 2);
  });

  it('measures New York to Los Angeles as about 3,940 km', () => {
    expect(haversineKm({ lat: 40.7128, lon: -74.006 }, { lat: 34.0522, lon: -118.2437 })).toBeCloseTo(3936, -1);
  });

  it('puts a distance exactly on a breakpoint in the nearer zone and anything beyond it in the next', () => {
    expect(zoneFor(table, 100)).toBe(1);
    expect(zoneFor(table, 100.001)).toBe(2);
    expect(zoneFor(table, 0)).toBe(1);
  });

  it('treats the last band as open-ended', () => {
    expect(zoneFor(table, 15_000)).toBe(8);
  });
});

describe('price', () => {
  it('charges the base rate up to the first weight break', () => {
    expect(ground({ weightLb: 1 }).cost).toBe(10);
  });

  it('adds the per-lb rate of each band above its break', () => {
    expect(ground({ weightLb: 5 }).cost).toBe(14);
    // 10 base + 9 lb x 1 (1..10) + 5 lb x 0.5 (10..15)
    expect(ground({ weightLb: 15 }).cost).toBe(21.5);
  });

  it('rounds actual weight up to the next whole lb', () => {
    const q = ground({ weightLb: 2.2 });
    expect(q.billableWeightLb).toBe(3);
    expect(q.cost).toBe(12);
  });

  it('bills a large light box by its dimensional weight', () => {
    // 20 x 20 x 20 in / 139 = 57.6 -> 58 lb; 10 + 9 x 1 + 48 x 0.5
    const q = ground({ weightLb: 2, dims: { lengthIn: 20, widthIn: 20, heightIn: 20 } });
    expect(q.billableWeightLb).toBe(58);
    expect(q.cost).toBe(43);
  });

  it('ignores dimensions when neither service nor carrier has a divisor', () => {
    const noDim = testTable((t) => delete t.carriers[0]!.dimDivisor);
    const q = rateService(noDim, 'ACME_GROUND', req({ weightLb: 2, dims: { lengthIn: 20, widthIn: 20, heightIn: 20 } }));
    expect(q.billableWeightLb).toBe(2);
  });

  it('applies the fuel surcharge and rounds to cents only at the end', () => {
    const fuelled = testTable((t) => {
      t.carriers[0]!.fuelSurchargePct = 15.5;
      const p = t.carriers[0]!.services[0]!.pricing;
      if (p.kind === 'per-lb') p.base[0] = 9.99;
    });
    // 9.99 x 1.155 = 11.53845
    expect(rateService(fuelled, 'ACME_GROUND', req()).cost).toBe(11.54);
  });

  it('prices a weight table by the first row the weight does not exceed', () => {
    expect(rateService(table, 'ACME_COURIER', req({ weightLb: 5 })).cost).toBe(15);
    expect(rateService(table, 'ACME_COURIER', req({ weightLb: 5.1 })).cost).toBe(25);
  });
});

describe('promised delivery date', () => {
  it('ships the same day when the parcel is ready before the cut-off', () => {
    const q = ground({ shipDate: new Date('2026-03-04T16:59:00Z') });
    expect([q.shipDate, q.promisedDeliveryDate]).toEqual(['2026-03-04', '2026-03-05']);
  });

  it('ships the next business day when the parcel is ready after the cut-off', () => {
    const q = ground({ shipDate: new Date('2026-03-04T17:01:00Z') });
    expect([q.shipDate, q.promisedDeliveryDate]).toEqual(['2026-03-05', '2026-03-06']);
  });

  it('ships on Monday when a parcel is ready on Friday after the cut-off', () => {
    const q = ground({ shipDate: new Date('2026-03-06T17:30:00Z') });
    expect([q.shipDate, q.promisedDeliveryDate]).toEqual(['2026-03-09', '2026-03-10']);
  });

  it('ships on Monday when a parcel is ready on Saturday morning', () => {
    expect(ground({ shipDate: new Date('2026-03-07T09:00:00Z') }).shipDate).toBe('2026-03-09');
  });

  it('skips the table holidays when counting transit days', () => {
    // 2026-12-25 is a Friday: a Thursday parcel with one transit day arrives on Monday.
    const q = ground({ shipDate: new Date('2026-12-24T10:00:00Z') });
    expect(q.promisedDeliveryDate).toBe('2026-12-28');
  });

  it('skips holidays passed with the request', () => {
    expect(ground({ holidays: ['2026-03-05'] }).promisedDeliveryDate).toBe('2026-03-06');
  });

  it('reads the cut-off in the origin time zone', () => {
    // 21:30Z is 16:30 in New York (EST): before the 17:00 cut-off there, though after it in UTC.
    const q = ground({ shipDate: new Date('2026-03-04T21:30:00Z'), originTimeZone: 'America/New_York' });
    expect(q.shipDate).toBe('2026-03-04');
  });

  it('reads a cut-off pinned to a zone in that zone, whatever the origin', () => {
    const pinned = testTable((t) => (t.carriers[0]!.services[2]!.cutoff = { localTime: '15:00', timeZone: 'America/Chicago' }));
    // 20:30Z: 15:30 in New York (after 15:00) but 14:30 in Chicago (before it).
    const q = rateService(pinned, 'ACME_EXPRESS', req({ shipDate: new Date('2026-03-04T20:30:00Z'), originTimeZone: 'America/New_York' }));
    expect(q.shipDate).toBe('2026-03-04');
  });

  it('accepts a fixed UTC offset as the origin zone', () => {
    // 22:30Z is 16:30 at -06:00.
    expect(ground({ shipDate: new Date('2026-03-04T22:30:00Z'), originTimeZone: '-06:00' }).shipDate).toBe('2026-03-04');
  });

  it('delivers a zero-transit courier parcel the day it leaves', () => {
    expect(rateService(table, 'ACME_COURIER', req()).promisedDeliveryDate).toBe('2026-03-04');
  });
});

describe('CO2 and eligibility', () => {
  it('estimates CO2 as grams per kg-km x actual kg x great-circle km x the distance factor', () => {
    // 0.1 g/kg-km x 10 lb (4.5359 kg) x 1000 km x 1.2
    expect(ground({ destLatLon: at(1000), weightLb: 10 }).co2Grams).toBe(544);
  });

  it('quotes every service that can carry the parcel, in service code order', () => {
    expect(rateAllServices(table, req()).map((q) => q.serviceCode)).toEqual(['ACME_2DAY', 'ACME_COURIER', 'ACME_EXPRESS', 'ACME_GROUND']);
  });

  it('leaves out services over their weight limit, outside their zones or inactive', () => {
    const noTwoDay = testTable((t) => (t.carriers[0]!.services[1]!.active = false));
    expect(rateAllServices(noTwoDay, req({ weightLb: 25 })).map((q) => q.serviceCode)).toEqual(['ACME_EXPRESS', 'ACME_GROUND']);
    expect(rateAllServices(table, req({ destLatLon: at(300) })).map((q) => q.serviceCode)).not.toContain('ACME_COURIER');
  });

  it('explains why a named service cannot carry the parcel', () => {
    expect(() => rateService(table, 'ACME_COURIER', req({ weightLb: 30 }))).toThrow(ServiceUnavailableError);
    expect(() => rateService(table, 'ACME_COURIER', req({ weightLb: 30 }))).toThrow('weighs 30 lb, over the 20 lb limit');
    expect(() => rateService(table, 'NOPE', req())).toThrow(UnknownServiceError);
  });

  it('refuses a parcel without a positive weight', () => {
    expect(() => ground({ weightLb: 0 })).toThrow(RangeError);
  });
});

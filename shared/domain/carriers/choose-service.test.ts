import { describe, expect, it } from 'vitest';
import { chooseService, type ChooseOptions } from './choose-service.ts';
import type { ServiceQuote } from './rating.ts';

const quote = (serviceCode: string, cost: number, promisedDeliveryDate: string, co2Grams: number): ServiceQuote => ({
  serviceCode,
  serviceName: serviceCode,
  carrier: 'X',
  mode: 'ground',
  zone: 4,
  distanceKm: 900,
  billableWeightLb: 2,
  cost,
  currency: 'USD',
  transitDays: 0,
  shipDate: '2026-03-04',
  promisedDeliveryDate,
  co2Grams,
});

const GROUND = quote('X_GROUND', 10, '2026-03-11', 100);
const TWO_DAY = quote('X_2DAY', 18, '2026-03-06', 400);
const OVERNIGHT = quote('X_OVERNIGHT', 40, '2026-03-05', 1000);
const ALL = [GROUND, TWO_DAY, OVERNIGHT];

const pick = (quotes: readonly ServiceQuote[], options: ChooseOptions): string => {
  const c = chooseService(quotes, options);
  if (!c.ok) throw new Error(c.reason);
  return c.quote.serviceCode;
};

describe('choosing by preference', () => {
  it('picks the earliest delivery for fastest, the cheaper one on the same date', () => {
    expect(pick(ALL, { preference: 'fastest' })).toBe('X_OVERNIGHT');
    expect(pick([...ALL, quote('Y_OVERNIGHT', 35, '2026-03-05', 1200)], { preference: 'fastest' })).toBe('Y_OVERNIGHT');
  });

  it('picks the lowest cost for cheapest, the earlier one at the same cost', () => {
    expect(pick(ALL, { preference: 'cheapest' })).toBe('X_GROUND');
    expect(pick([...ALL, quote('Y_GROUND', 10, '2026-03-10', 100)], { preference: 'cheapest' })).toBe('Y_GROUND');
  });

  it('picks the lowest CO2 for greenest, the cheaper one at the same CO2', () => {
    expect(pick([...ALL, quote('Y_GROUND', 9, '2026-03-12', 100)], { preference: 'greenest' })).toBe('Y_GROUND');
  });

  it('picks the lowest weighted score of normalised cost, days and CO2 for balanced', () => {
    // cost 0/.27/1, days 1/.25/0, CO2 0/.33/1 -> scores .30, .28, .70 with weights .5/.3/.2
    expect(pick(ALL, { preference: 'balanced' })).toBe('X_2DAY');
  });

  it('lets the merchant override the balanced weights', () => {
    expect(pick(ALL, { preference: 'balanced', balancedWeights: { cost: 0, days: 1, co2: 0 } })).toBe('X_OVERNIGHT');
  });

  it('breaks exact ties by service code, whatever the order of the quotes', () => {
    const a = quote('A_GROUND', 10, '2026-03-11', 100);
    const b = quote('B_GROUND', 10, '2026-03-11', 100);
    for (const preference of ['fastest', 'cheapest', 'greenest', 'balanced'] as const) {
      expect(pick([b, a], { preference })).toBe('A_GROUND');
      expect(pick([a, b], { preference })).toBe('A_GROUND');
    }
  });
});

describe('promise-by dates', () => {
  it('considers only services that deliver by the promise date', () => {
    expect(pick(ALL, { preference: 'cheapest', promiseBy: '2026-03-06' })).toBe('X_2DAY');
  });

  it('reports when no service delivers by the promise date', () => {
    expect(chooseService(ALL, { preference: 'cheapest', promiseBy: '2026-03-04' })).toEqual({ ok: false, reason: 'no service delivers by 2026-03-04' });
  });

  it('reports when there is nothing to choose from', () => {
    expect(chooseService([], { preference: 'fastest' }).ok).toBe(false);
  });
});

describe('VIP free upgrades', () => {
  const vip = (max: number, preference: ChooseOptions['preference'] = 'cheapest'): ChooseOptions => ({
    preference,
    vip: true,
    vipRule: { vipFreeUpgradeMaxExtraCost: max },
  });

  it('upgrades a VIP to a faster service costing at most the limit more, the merchant paying the difference', () => {
    const c = chooseService(ALL, vip(10));
    expect(c).toMatchObject({ ok: true, upgraded: true, carrierCost: 18, chargedToCustomer: 10, absorbedByMerchant: 8 });
    expect(c.ok && c.quote.serviceCode).toBe('X_2DAY');
    expect(c.ok && c.preferredQuote?.serviceCode).toBe('X_GROUND');
    expect(c.ok && c.upgradeReason).toMatch(/X_GROUND .* to X_2DAY .*8\.00 more, within the 10\.00 limit; the merchant absorbs/);
  });

  it('upgrades when the extra cost equals the limit exactly', () => {
    expect(chooseService(ALL, vip(8)).ok && pick(ALL, vip(8))).toBe('X_2DAY');
  });

  it('does not upgrade when every faster service costs more than the limit extra', () => {
    const c = chooseService(ALL, vip(7.99));
    expect(c).toMatchObject({ ok: true, upgraded: false, carrierCost: 10, chargedToCustomer: 10, absorbedByMerchant: 0 });
  });

  it('upgrades to the fastest service within the limit', () => {
    expect(pick(ALL, vip(30))).toBe('X_OVERNIGHT');
  });

  it('does not upgrade customers who are not VIPs', () => {
    expect(pick(ALL, { ...vip(30), vip: false })).toBe('X_GROUND');
  });

  it('does not upgrade a greenest VIP to a service that emits more CO2', () => {
    const c = chooseService(ALL, vip(30, 'greenest'));
    expect(c.ok && c.upgraded).toBe(false);
  });
});

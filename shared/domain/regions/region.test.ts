import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fiveDigitZip, regionOf, usStateOfZip } from './region.ts';

describe('the region of a destination', () => {
  it('is the US state of the ZIP, as an ISO 3166-2 code', () => {
    expect(usStateOfZip('10001')).toBe('US-NY');
    expect(usStateOfZip('14760')).toBe('US-NY');
    expect(usStateOfZip('90210')).toBe('US-CA');
    expect(usStateOfZip('60601')).toBe('US-IL');
    expect(usStateOfZip('73301')).toBe('US-TX');
    expect(usStateOfZip('20001')).toBe('US-DC');
    expect(usStateOfZip('99501')).toBe('US-AK');
    expect(usStateOfZip('00901')).toBe('US-PR');
  });

  it('reads ZIP+4 and surrounding spaces, and refuses what is not a ZIP', () => {
    expect(fiveDigitZip(' 10001-1234 ')).toBe('10001');
    expect(fiveDigitZip('100011234')).toBe('10001');
    expect(usStateOfZip('1000')).toBeUndefined();
    expect(usStateOfZip('ABCDE')).toBeUndefined();
    expect(usStateOfZip('00100')).toBeUndefined(); // prefix 001 is unassigned
  });

  it('is the country outside the US, so Canada (CA) never meets California (US-CA)', () => {
    expect(regionOf({ country: 'ca', postalCode: 'M5V 2T6' })).toBe('CA');
    expect(regionOf({ country: 'US', postalCode: '94105' })).toBe('US-CA');
    expect(regionOf({ country: 'DE', postalCode: '10115' }, '10001')).toBe('DE');
  });

  it('falls back to the ZIP nearest the coordinates, then to the country', () => {
    expect(regionOf({ country: 'US' }, '02108')).toBe('US-MA');
    expect(regionOf({ country: 'US', postalCode: 'not-a-zip' }, '33101')).toBe('US-FL');
    expect(regionOf({ country: 'US' })).toBe('US');
  });

  it('maps every five-digit ZIP to a state code or to nothing, never throwing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999 }), (n) => {
        const state = usStateOfZip(String(n).padStart(5, '0'));
        expect(state === undefined || /^US-[A-Z]{2}$/.test(state)).toBe(true);
      }),
    );
  });
});

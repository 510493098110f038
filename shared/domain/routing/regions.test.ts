import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customRegionsSchema, needsNearestZip, regionsOf, type CustomRegion } from './regions.ts';

const northeast: CustomRegion = { id: 'northeast', states: ['ny', 'US-NJ', 'CT'] };
const nycMetro: CustomRegion = { id: 'nyc.metro', zipPrefixes: ['100', '101', '102', '112'] };

describe('the regions of a destination or location', () => {
  it('are the country and the US state of the ZIP', () => {
    expect(regionsOf({ country: 'US', postalCode: '10001' })).toEqual(['US', 'US-NY']);
    expect(regionsOf({ country: 'us', postalCode: ' 94105-1234 ' })).toEqual(['US', 'US-CA']);
  });

  it("add the tenant's custom regions that list the state or a prefix of the ZIP", () => {
    expect(regionsOf({ country: 'US', postalCode: '10001' }, [northeast, nycMetro])).toEqual(['US', 'US-NY', 'northeast', 'nyc.metro']);
    expect(regionsOf({ country: 'US', postalCode: '14760' }, [northeast, nycMetro])).toEqual(['US', 'US-NY', 'northeast']);
    expect(regionsOf({ country: 'US', postalCode: '07302' }, [northeast, nycMetro])).toEqual(['US', 'US-NJ', 'northeast']);
    expect(regionsOf({ country: 'US', postalCode: '94105' }, [northeast, nycMetro])).toEqual(['US', 'US-CA']);
  });

  it('take the state from the ZIP nearest the coordinates when there is no ZIP, or one we cannot place', () => {
    expect(needsNearestZip({ country: 'US' })).toBe(true);
    expect(needsNearestZip({ country: 'US', postalCode: '00100' })).toBe(true);
    expect(needsNearestZip({ country: 'US', postalCode: '10001' })).toBe(false);
    expect(needsNearestZip({ country: 'CA', postalCode: 'M5V 2T6' })).toBe(false);
    expect(regionsOf({ country: 'US' }, [nycMetro], '10018')).toEqual(['US', 'US-NY', 'nyc.metro']);
    expect(regionsOf({ country: 'US', postalCode: '00100' }, [], '60601')).toEqual(['US', 'US-IL']);
    expect(regionsOf({ country: 'US' })).toEqual(['US']);
  });

  it('are the country alone outside the US, so Canada (CA) never meets California (US-CA)', () => {
    expect(regionsOf({ country: 'CA', postalCode: 'M5V 2T6' }, [northeast], '10001')).toEqual(['CA']);
    expect(regionsOf({ country: 'de', postalCode: '10115' }, [nycMetro])).toEqual(['DE']);
  });

  it('always start with the country and hold each region once (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{5}$/), (zip) => {
        const regions = regionsOf({ country: 'US', postalCode: zip }, [northeast, nycMetro]);
        expect(regions[0]).toBe('US');
        expect(new Set(regions).size).toBe(regions.length);
        if (regions.length > 1) expect(regions[1]).toMatch(/^US-[A-Z]{2}$/);
      }),
    );
  });
});

describe('custom regions in tenant settings', () => {
  it('accept states as NY, ny or US-NY, and ZIP prefixes of 1 to 5 digits', () => {
    expect(customRegionsSchema.safeParse([northeast, nycMetro, { id: 'Zone_1', zipPrefixes: ['9', '94105'] }]).success).toBe(true);
  });

  it('refuse a region without states or prefixes, bad codes, duplicate ids and ids that read as a country or state', () => {
    const paths = (input: unknown) => customRegionsSchema.safeParse(input).error?.issues.map((i) => i.path.join('.'));
    expect(paths([{ id: 'empty' }])).toEqual(['0.states']);
    expect(paths([{ id: 'bad', states: ['New York'] }])).toEqual(['0.states.0']);
    expect(paths([{ id: 'bad', zipPrefixes: ['1000a'] }])).toEqual(['0.zipPrefixes.0']);
    expect(paths([northeast, { ...nycMetro, id: 'NorthEast' }])).toEqual(['1.id']);
    expect(paths([{ id: 'us-ny', states: ['NY'] }])).toEqual(['0.id']);
    expect(paths([{ id: 'CA', states: ['CA'] }])).toEqual(['0.id']);
  });
});

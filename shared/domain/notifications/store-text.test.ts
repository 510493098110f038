import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openingHoursSchema, WEEKDAYS, type OpeningHours } from '../inventory/opening-hours.ts';
import { addressLine, DISPLAY_WEEK, formatDateTimeIn, formatOpeningHours, groupOpeningHours, openingHoursLine, zoneName } from './store-text.ts';

const weekdays = (opens: string, closes: string) => Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ opens, closes }]]));

describe('store hours in words', () => {
  it('groups equal consecutive days, Monday first, and names closed days', () => {
    expect(formatOpeningHours({ ...weekdays('09:00', '18:00'), sat: [{ opens: '10:00', closes: '16:00' }] })).toBe('Mon-Fri 9:00-18:00, Sat 10:00-16:00, Sun closed');
  });

  it('keeps apart equal days that are not consecutive, and shows a lunch break and midnight', () => {
    const hours: OpeningHours = {
      mon: [{ opens: '09:00', closes: '12:00' }, { opens: '13:00', closes: '18:00' }],
      wed: [{ opens: '09:00', closes: '12:00' }, { opens: '13:00', closes: '18:00' }],
      fri: [{ opens: '17:00', closes: '24:00' }],
      sat: [{ opens: '17:00', closes: '24:00' }],
    };
    expect(formatOpeningHours(hours)).toBe('Mon 9:00-12:00 and 13:00-18:00, Tue closed, Wed 9:00-12:00 and 13:00-18:00, Thu closed, Fri-Sat 17:00-24:00, Sun closed');
  });

  it('says open 24 hours for a whole day, and one group for a store open alike every day', () => {
    const always = Object.fromEntries(WEEKDAYS.map((d) => [d, [{ opens: '00:00', closes: '24:00' }]]));
    expect(formatOpeningHours(always)).toBe('Mon-Sun open 24 hours');
    expect(formatOpeningHours({ sun: [{ opens: '00:00', closes: '23:59' }] })).toBe('Mon-Sat closed, Sun 0:00-23:59');
  });

  it('names the zone the hours are in, and gives no line without open hours', () => {
    expect(openingHoursLine({ openingHours: weekdays('09:00', '18:00'), timeZone: 'America/New_York' })).toBe('Opening hours: Mon-Fri 9:00-18:00, Sat-Sun closed (Eastern Time)');
    expect(openingHoursLine({ openingHours: weekdays('09:00', '18:00') })).toBe('Opening hours: Mon-Fri 9:00-18:00, Sat-Sun closed');
    expect(openingHoursLine({ openingHours: {}, timeZone: 'UTC' })).toBeUndefined();
    expect(openingHoursLine({ timeZone: 'UTC' })).toBeUndefined();
    expect(zoneName('Europe/Berlin')).toBe('Central European Time');
    expect(zoneName('Not/AZone')).toBeUndefined();
  });

  // Any opening hours the location API accepts: up to four ordered, non-overlapping intervals a day, 00:00 to 24:00.
  const day = fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { minLength: 0, maxLength: 8 }).map((bounds) => {
    const sorted = [...bounds].sort((a, b) => a - b);
    const intervals: Array<{ opens: string; closes: string }> = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) intervals.push({ opens: hhmm(sorted[i]!), closes: hhmm(sorted[i + 1]!) });
    return intervals;
  });
  const hours = fc.record(Object.fromEntries(WEEKDAYS.map((d) => [d, day])) as Record<(typeof WEEKDAYS)[number], typeof day>, { requiredKeys: [] });
  const NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

  it('renders any valid opening hours without throwing: every day once, in order, each open day with its own hours', () => {
    fc.assert(
      fc.property(hours, (h) => {
        const parsed = openingHoursSchema.safeParse(h);
        fc.pre(parsed.success);
        const valid = parsed.data!;
        const text = formatOpeningHours(valid);
        // Read the text back: "Mon-Fri 9:00-18:00, Sat 10:00-16:00, Sun closed" -> each day with the words after it.
        const read = text.split(', ').flatMap((part) => {
          const [days, ...rest] = part.split(' ');
          const [first, last = first] = days!.split('-');
          const from = NAMES.indexOf(first!);
          const to = NAMES.indexOf(last!);
          expect(from, part).toBeGreaterThanOrEqual(0);
          expect(to, part).toBeGreaterThanOrEqual(from);
          return NAMES.slice(from, to + 1).map((name) => ({ name, words: rest.join(' ') }));
        });
        expect(read.map((r) => r.name)).toEqual(NAMES);
        for (const [i, d] of DISPLAY_WEEK.entries()) {
          const intervals = valid[d] ?? [];
          const expected = intervals.length === 0 ? 'closed' : intervals.length === 1 && intervals[0]!.opens === '00:00' && intervals[0]!.closes === '24:00' ? 'open 24 hours' : intervals.map((v) => `${v.opens.replace(/^0(\d)/, '$1')}-${v.closes.replace(/^0(\d)/, '$1')}`).join(' and ');
          expect(read[i]!.words, d).toBe(expected);
        }
        // Equal consecutive days are one group: neighbouring groups always differ.
        const groups = groupOpeningHours(valid);
        for (let i = 1; i < groups.length; i++) expect(groups[i]!.text).not.toBe(groups[i - 1]!.text);
      }),
      { numRuns: 300 },
    );
  });
});

function hhmm(m: number): string {
  return m === 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

describe('store address and times', () => {
  it('puts the address on one line, leaving out the parts it lacks', () => {
    expect(addressLine({ line1: '120 Prince St', line2: 'Floor 2', city: 'New York', region: 'NY', postalCode: '10012', country: 'US' })).toBe('120 Prince St, Floor 2, New York, NY 10012, US');
    expect(addressLine({ line1: 'Königstraße 1', postalCode: '70173', country: 'DE' })).toBe('Königstraße 1, 70173, DE');
    expect(addressLine({ city: 'Brooklyn', postalCode: '11201', country: 'US' })).toBe('Brooklyn, 11201, US');
  });

  it('gives no address line for a bare postal code (it places the store, it does not tell the way)', () => {
    expect(addressLine({ postalCode: '10013', country: 'US' })).toBeUndefined();
    expect(addressLine(undefined)).toBeUndefined();
  });

  it('tells an instant in the store\'s zone with its name, in UTC without a zone or with one the runtime does not know', () => {
    expect(formatDateTimeIn('2026-12-04T15:00:00.000Z', 'America/New_York')).toBe('Friday, December 4 at 10:00 AM EST');
    expect(formatDateTimeIn('2026-07-04T15:00:00.000Z', 'America/Los_Angeles')).toBe('Saturday, July 4 at 8:00 AM PDT');
    expect(formatDateTimeIn('2026-12-04T15:00:00.000Z', undefined)).toBe('Friday, December 4 at 3:00 PM UTC');
    expect(formatDateTimeIn('2026-12-04T15:00:00.000Z', 'Not/AZone')).toBe('Friday, December 4 at 3:00 PM UTC');
    expect(formatDateTimeIn('soon', 'UTC')).toBeUndefined();
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localTimeOf, weekdayOf } from '../carriers/calendar.ts';
import { canonicalTimeZone, instantOfLocal, localDateOf, minutesOf, nextReadyAt, openingHoursSchema, readyAtLocation, timeZoneSchema, WEEKDAYS, type OpeningHours } from './opening-hours.ts';

const NY = 'America/New_York';
const weekdays = (opens: string, closes: string): OpeningHours => ({ mon: [{ opens, closes }], tue: [{ opens, closes }], wed: [{ opens, closes }], thu: [{ opens, closes }], fri: [{ opens, closes }] });
const ready = (now: string, hours: OpeningHours, handlingMinutes: number, timeZone = NY) => nextReadyAt({ now: new Date(now), hours, timeZone, handlingMinutes })?.toISOString();

describe('opening hours, as PUT /locations takes them', () => {
  it('takes HH:MM times with closes after opens, 24:00 for midnight, a lunch break, and days left out as closed', () => {
    const hours = { mon: [{ opens: '09:00', closes: '12:30' }, { opens: '13:30', closes: '24:00' }], sat: [{ opens: '00:00', closes: '23:59' }] };
    expect(openingHoursSchema.parse(hours)).toEqual(hours);
  });

  it.each([
    ['a time without a leading zero', { mon: [{ opens: '9:00', closes: '17:00' }] }, 'mon.0.opens'],
    ['25:00', { mon: [{ opens: '09:00', closes: '25:00' }] }, 'mon.0.closes'],
    ['opening at 24:00', { mon: [{ opens: '24:00', closes: '24:00' }] }, 'mon.0.opens'],
    ['closing before opening', { tue: [{ opens: '18:00', closes: '09:00' }] }, 'tue.0.closes'],
    ['closing when opening', { tue: [{ opens: '09:00', closes: '09:00' }] }, 'tue.0.closes'],
    ['overlapping intervals', { wed: [{ opens: '09:00', closes: '13:00' }, { opens: '12:00', closes: '18:00' }] }, 'wed.1.opens'],
    ['an unknown day', { monday: [{ opens: '09:00', closes: '17:00' }] }, ''],
    ['a week with no opening', { mon: [], sun: [] }, ''],
  ])('refuses %s, naming the field', (_, hours, path) => {
    const result = openingHoursSchema.safeParse(hours);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('takes IANA zones in any case, answered in their canonical spelling, and refuses offsets and unknown names', () => {
    expect(timeZoneSchema.parse('america/new_york')).toBe('America/New_York');
    expect(timeZoneSchema.parse('Asia/Kathmandu')).toBe('Asia/Kathmandu');
    expect(timeZoneSchema.parse('UTC')).toBe('UTC');
    for (const bad of ['Mars/Olympus_Mons', '+05:30', 'EST5EDT;rm', '', 'Europe/Lon don']) expect(canonicalTimeZone(bad), bad).toBeUndefined();
    expect(timeZoneSchema.safeParse('Mars/Olympus_Mons').success).toBe(false);
  });
});

describe('when a location can have a parcel ready', () => {
  // 2026-03-09 is a Monday; New York is on daylight time (UTC-4) from 2026-03-08.
  it('is now plus the handling while the location is open with time to spare', () => {
    expect(ready('2026-03-09T14:00:00Z', weekdays('09:00', '21:00'), 60)).toBe('2026-03-09T15:00:00.000Z');
  });

  it('is the opening plus the handling before the location opens', () => {
    expect(ready('2026-03-09T11:00:00Z', weekdays('09:00', '21:00'), 60)).toBe('2026-03-09T14:00:00.000Z');
  });

  it('carries handling left at closing time over to the next opening', () => {
    // 20:30 local: 30 minutes today, 30 tomorrow from 09:00.
    expect(ready('2026-03-10T00:30:00Z', weekdays('09:00', '21:00'), 60)).toBe('2026-03-10T13:30:00.000Z');
  });

  it('skips a day the location is closed: Friday evening goes to Monday', () => {
    expect(ready('2026-03-14T00:30:00Z', weekdays('09:00', '21:00'), 60)).toBe('2026-03-16T13:30:00.000Z');
  });

  it('is closed at its closing instant, open at its opening instant', () => {
    expect(ready('2026-03-10T01:00:00Z', weekdays('09:00', '21:00'), 0)).toBe('2026-03-10T13:00:00.000Z');
    expect(ready('2026-03-09T13:00:00Z', weekdays('09:00', '21:00'), 0)).toBe('2026-03-09T13:00:00.000Z');
  });

  it('runs through midnight when a day closes at 24:00 and the next opens at 00:00', () => {
    const always = Object.fromEntries(WEEKDAYS.map((d) => [d, [{ opens: '00:00', closes: '24:00' }]])) as OpeningHours;
    expect(ready('2026-03-10T03:30:00Z', always, 60)).toBe('2026-03-10T04:30:00.000Z');
    expect(ready('2026-03-10T03:59:00Z', always, 0)).toBe('2026-03-10T03:59:00.000Z');
    // A store open until 24:00 on Monday only: 23:30 local with 60 minutes of work waits a week.
    expect(ready('2026-03-10T03:30:00Z', { mon: [{ opens: '00:00', closes: '24:00' }] }, 60)).toBe('2026-03-16T04:30:00.000Z');
  });

  it('counts the hour a spring-forward change skips as not there (New York, 2026-03-08)', () => {
    const sunday = { sun: [{ opens: '01:00', closes: '05:00' }] };
    // Opens 01:00 EST (06:00Z); 90 minutes of work: 01:00-02:00 EST, then 03:00-03:30 EDT (07:30Z).
    expect(ready('2026-03-08T05:30:00Z', sunday, 90)).toBe('2026-03-08T07:30:00.000Z');
    // A shop opening at 02:30, a time that day does not have, opens when the clock jumps: 03:00 EDT.
    expect(ready('2026-03-08T05:30:00Z', { sun: [{ opens: '02:30', closes: '05:00' }] }, 0)).toBe('2026-03-08T07:00:00.000Z');
  });

  it('counts the hour a fall-back change repeats twice (New York, 2026-11-01): a day of 25 open hours', () => {
    const sunday = { sun: [{ opens: '00:00', closes: '24:00' }] };
    // From midnight EDT (04:00Z) to midnight EST (05:00Z next day) is 25 hours.
    expect(ready('2026-11-01T04:00:00Z', sunday, 25 * 60)).toBe('2026-11-02T05:00:00.000Z');
    expect(ready('2026-11-01T04:00:00Z', sunday, 25 * 60 + 1)).toBe('2026-11-08T05:01:00.000Z');
  });

  it('uses the location\'s own zone: 09:00 in Kathmandu (UTC+5:45) and in London', () => {
    expect(ready('2026-03-09T00:00:00Z', weekdays('09:00', '17:00'), 0, 'Asia/Kathmandu')).toBe('2026-03-09T03:15:00.000Z');
    expect(ready('2026-03-09T00:00:00Z', weekdays('09:00', '17:00'), 0, 'Europe/London')).toBe('2026-03-09T09:00:00.000Z');
  });

  it('is never for a location open too little to do the work within a year, and now for one without hours', () => {
    expect(readyAtLocation({ openingHours: { mon: [{ opens: '09:00', closes: '09:01' }] }, timeZone: NY, handlingMinutes: 1440 }, new Date('2026-03-09T00:00:00Z'))).toBe('never');
    expect(readyAtLocation({}, new Date('2026-03-09T00:00:00Z'))).toBeUndefined();
    expect(readyAtLocation({ openingHours: weekdays('09:00', '21:00'), timeZone: NY }, new Date('2026-03-09T14:00:00Z'))).toEqual(new Date('2026-03-09T15:00:00Z'));
  });

  it('names the local date of an instant', () => {
    expect(localDateOf(new Date('2026-03-10T03:30:00Z'), NY)).toBe('2026-03-09');
    expect(localDateOf(new Date('2026-03-10T03:30:00Z'), 'Asia/Tokyo')).toBe('2026-03-10');
  });
});

describe('when a location can have a parcel ready (properties)', () => {
  // Zones with and without daylight saving, with odd offsets and half-hour changes. Interval bounds avoid 01:00-03:59,
  // where these zones change their clocks, so that "the clock shows a time within an interval" is the whole truth.
  const ZONES = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC', 'America/Sao_Paulo', 'Pacific/Chatham', 'America/Los_Angeles'];
  const bound = fc.constantFrom(0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24);
  const day = fc.uniqueArray(bound, { minLength: 0, maxLength: 6 }).map((bounds) => {
    const sorted = [...bounds].sort((a, b) => a - b);
    const intervals = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) intervals.push({ opens: `${String(sorted[i]).padStart(2, '0')}:00`, closes: `${String(sorted[i + 1]).padStart(2, '0')}:00` });
    return intervals;
  });
  const hours = fc
    .tuple(day, day, day, day, day, day, day)
    .map((days) => Object.fromEntries(WEEKDAYS.map((d, i) => [d, days[i]!])) as OpeningHours)
    .filter((h) => WEEKDAYS.some((d) => (h[d]?.length ?? 0) > 0));
  // Whole minutes between 2024 and 2030, so DST changes of several years are crossed.
  const now = fc.integer({ min: 28_401_120, max: 31_556_160 }).map((minutes) => new Date(minutes * 60_000));

  const openAt = (instant: number, h: OpeningHours, zone: string) => {
    const local = localTimeOf(new Date(instant), zone);
    const minute = Math.floor(local.msOfDay / 60_000);
    return (h[WEEKDAYS[weekdayOf(local.dayNumber)]!] ?? []).some((i) => minutesOf(i.opens)! <= minute && minute < minutesOf(i.closes)!);
  };

  it('is the instant by which exactly the handling minutes of open time have passed, and no earlier', () => {
    fc.assert(
      fc.property(hours, fc.constantFrom(...ZONES), now, fc.integer({ min: 0, max: 240 }), (h, zone, at, handling) => {
        expect(openingHoursSchema.safeParse(h).success).toBe(true);
        const result = nextReadyAt({ now: at, hours: h, timeZone: zone, handlingMinutes: handling });
        expect(result).toBeDefined();
        const end = result!.getTime();
        expect(end).toBeGreaterThanOrEqual(at.getTime());
        let open = 0;
        for (let t = at.getTime(); t < end; t += 60_000) if (openAt(t, h, zone)) open++;
        expect(open).toBe(handling);
        // Minimal: the last minute counted was open (or, with no handling, the location is open at that instant).
        expect(openAt(handling > 0 ? end - 60_000 : end, h, zone)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('never goes back in time as now moves on (a later order is never promised earlier)', () => {
    fc.assert(
      fc.property(hours, fc.constantFrom(...ZONES), now, fc.integer({ min: 0, max: 3 * 1440 }), fc.integer({ min: 0, max: 240 }), (h, zone, at, laterBy, handling) => {
        const first = nextReadyAt({ now: at, hours: h, timeZone: zone, handlingMinutes: handling })!;
        const second = nextReadyAt({ now: new Date(at.getTime() + laterBy * 60_000), hours: h, timeZone: zone, handlingMinutes: handling })!;
        expect(second.getTime()).toBeGreaterThanOrEqual(first.getTime());
      }),
      { numRuns: 200 },
    );
  });

  it('maps every wall time of a day to an instant the clock shows it at (or just after a skipped time)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 19_700, max: 22_000 }), fc.integer({ min: 0, max: 1439 }), (zone, dayNumber, minutes) => {
        const instant = instantOfLocal(dayNumber, minutes, zone);
        const local = localTimeOf(new Date(instant), zone);
        const shown = local.dayNumber * 1440 + local.msOfDay / 60_000;
        expect(shown).toBeGreaterThanOrEqual(dayNumber * 1440 + minutes);
        // Later only across a skipped hour (at most 1 h; Lord Howe skips 30 minutes).
        expect(shown - (dayNumber * 1440 + minutes)).toBeLessThanOrEqual(60);
        if (shown !== dayNumber * 1440 + minutes) expect(localTimeOf(new Date(instant - 60_000), zone).msOfDay / 60_000).toBeLessThan(minutes);
      }),
      { numRuns: 500 },
    );
  });
});

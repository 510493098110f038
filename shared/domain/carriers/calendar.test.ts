import { describe, expect, it } from 'vitest';
import { addBusinessDays, isoDateFromDayNumber, localTimeOf, parseIsoDate, weekdayOf } from './calendar.ts';

describe('calendar', () => {
  it('round-trips dates through day numbers, leap days included', () => {
    for (const d of ['1970-01-01', '2000-02-29', '2024-02-29', '2026-12-31', '2100-03-01']) {
      expect(isoDateFromDayNumber(parseIsoDate(d)!)).toBe(d);
    }
  });

  it('rejects dates that do not exist', () => {
    expect(parseIsoDate('2025-02-29')).toBeUndefined();
    expect(parseIsoDate('2026-13-01')).toBeUndefined();
    expect(parseIsoDate('26-1-1')).toBeUndefined();
  });

  it('skips the weekend when adding business days', () => {
    const friday = parseIsoDate('2026-03-06')!;
    expect(weekdayOf(friday)).toBe(5);
    expect(isoDateFromDayNumber(addBusinessDays(friday, 1, new Set()))).toBe('2026-03-09');
  });

  it('reads wall-clock time across a daylight-saving change', () => {
    // New York springs forward on 2026-03-08: 16:00Z is 11:00 EST the day before and 12:00 EDT the day after.
    const before = localTimeOf(new Date('2026-03-07T16:00:00Z'), 'America/New_York');
    const after = localTimeOf(new Date('2026-03-09T16:00:00Z'), 'America/New_York');
    expect(before.msOfDay / 3_600_000).toBe(11);
    expect(after.msOfDay / 3_600_000).toBe(12);
  });
});

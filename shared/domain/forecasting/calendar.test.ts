import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayOfWeek, formatIsoDay, parseIsoDay } from './calendar.ts';

describe('calendar days', () => {
  it('reads an ISO date as days since 1970-01-01', () => {
    expect(parseIsoDay('1970-01-02')).toBe(1);
    expect(parseIsoDay('2024-05-19')).toBe(19862);
  });

  it('rejects dates that do not exist or are not YYYY-MM-DD', () => {
    for (const bad of ['2023-02-29', '2024-13-01', '2024-5-1', '20240501', '2024-05-01T00:00', '']) expect(parseIsoDay(bad)).toBeUndefined();
  });

  it('formats what it parses, for any day', () => {
    fc.assert(fc.property(fc.integer({ min: -10_000, max: 60_000 }), (d) => parseIsoDay(formatIsoDay(d)) === d));
  });

  it('numbers weekdays from Sunday', () => {
    expect(dayOfWeek(parseIsoDay('2024-05-19')!)).toBe(0);
    expect(dayOfWeek(parseIsoDay('2024-05-25')!)).toBe(6);
    expect(dayOfWeek(parseIsoDay('1969-12-31')!)).toBe(3);
  });
});

import { z } from 'zod';
import { localTimeOf, weekdayOf } from '../carriers/calendar.ts';

/**
 * A location's opening hours, per weekday, in its own IANA time zone; and the one question routing asks of them: when,
 * at the earliest, can this location have a parcel ready (a pickup for the customer, a parcel for the carrier), given
 * the time now and the minutes of handling the work takes? Handling is done while the location is open: work left at
 * closing time carries over to the next opening. Pure: `now` is passed in, zones are read through Intl.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface OpeningInterval {
  /** Local wall time `HH:MM`, 00:00-23:59. */
  opens: string;
  /** Local wall time `HH:MM` after `opens`; `24:00` is midnight at the end of the day. */
  closes: string;
}

/** Absent or empty weekday: closed all day. */
export type OpeningHours = Partial<Record<Weekday, OpeningInterval[]>>;

/** Minutes of handling when a location with opening hours names none. */
export const DEFAULT_HANDLING_MINUTES = 60;
export const MAX_HANDLING_MINUTES = 1440;
/** Intervals per day: a lunch break makes two; more than four is not a shop's day. */
const MAX_INTERVALS_PER_DAY = 4;
/** How far ahead a promise is looked for: beyond it, the location is taken as unable to have the parcel ready. */
const SEARCH_DAYS = 366;

const MINUTE = 60_000;
const DAY = 86_400_000;

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight of `HH:MM` (`24:00` is 1440), or undefined. */
export function minutesOf(time: string): number | undefined {
  if (time === '24:00') return 1440;
  const match = TIME.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

const timeSchema = (allowMidnightEnd: boolean) =>
  z.string().refine((t) => (allowMidnightEnd || t !== '24:00') && minutesOf(t) !== undefined, {
    message: allowMidnightEnd ? 'must be a time HH:MM from 00:00 to 24:00' : 'must be a time HH:MM from 00:00 to 23:59',
  });

const intervalSchema = z.strictObject({ opens: timeSchema(false), closes: timeSchema(true) }).superRefine((value, ctx) => {
  const opens = minutesOf(value.opens);
  const closes = minutesOf(value.closes);
  if (opens !== undefined && closes !== undefined && closes <= opens) ctx.addIssue({ code: 'custom', path: ['closes'], message: `must be after opens (${value.opens})` });
});

const daySchema = z
  .array(intervalSchema)
  .max(MAX_INTERVALS_PER_DAY, `must hold at most ${MAX_INTERVALS_PER_DAY} intervals`)
  .superRefine((intervals, ctx) => {
    for (let i = 1; i < intervals.length; i++) {
      const previousCloses = minutesOf(intervals[i - 1]!.closes);
      const opens = minutesOf(intervals[i]!.opens);
      if (previousCloses !== undefined && opens !== undefined && opens < previousCloses) {
        ctx.addIssue({ code: 'custom', path: [i, 'opens'], message: 'intervals must be in order and must not overlap' });
      }
    }
  });

export const openingHoursSchema = z
  .strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, daySchema.optional()])) as Record<Weekday, z.ZodOptional<typeof daySchema>>)
  .refine((hours) => WEEKDAYS.some((d) => (hours[d]?.length ?? 0) > 0), { message: 'must open at least once a week (omit openingHours for a location that never closes)' })
  .describe('Local opening hours per weekday (sun...sat): intervals {opens, closes} as HH:MM, closes after opens, 24:00 for midnight; a day left out is closed')
  .meta({ id: 'OpeningHours' });

/** The canonical name of an IANA zone this runtime knows (`america/new_york` -> `America/New_York`), or undefined. */
export function canonicalTimeZone(name: string): string | undefined {
  // Offsets (`+05:30`) are not zones: they know no daylight saving time.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name) || name.length > 64) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  // ICU may resolve to an older alias (Asia/Kathmandu -> Asia/Katmandu): keep the name asked for, in its proper case.
  const wanted = name.toLowerCase();
  return knownZones().find((zone) => zone.toLowerCase() === wanted) ?? (resolved.toLowerCase() === wanted ? resolved : name);
}

let zones: string[] | undefined;
/** The runtime's zone names (memoised: a pure function of the runtime). */
function knownZones(): string[] {
  zones ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  return zones;
}

export const timeZoneSchema = z
  .string()
  .transform((name, ctx) => {
    const zone = canonicalTimeZone(name);
    if (!zone) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(name.slice(0, 64))} is not an IANA time zone (e.g. America/New_York)` });
      return z.NEVER;
    }
    return zone;
  })
  .describe('IANA time zone of the location, e.g. America/New_York');

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const local = localTimeOf(new Date(instant), timeZone);
  return local.dayNumber * DAY + local.msOfDay - instant;
}

/**
 * The first instant at which the local clock shows the wall time: the instant it happens, or for a time a
 * spring-forward change skips (02:30 in New York on that Sunday) the change itself (03:00 daylight time, when a shop
 * "opening at 02:30" opens). A time that happens twice (the fall-back hour) is its first occurrence.
 */
export function instantOfLocal(dayNumber: number, minutes: number, timeZone: string): number {
  const key = `${timeZone}\u0000${dayNumber}\u0000${minutes}`;
  let instant = instants.get(key);
  if (instant === undefined) {
    // Routing asks this for every store with hours, for every order: the same few opening times of the same days.
    if (instants.size >= 50_000) instants.clear();
    instants.set(key, (instant = computeInstantOfLocal(dayNumber, minutes, timeZone)));
  }
  return instant;
}

// A memo of a pure function of its arguments (as calendar.ts memoises formatters): it does not make callers impure.
const instants = new Map<string, number>();

function computeInstantOfLocal(dayNumber: number, minutes: number, timeZone: string): number {
  const local = dayNumber * DAY + minutes * MINUTE;
  // No zone changes its offset twice within 36 hours: the offsets 18 h either side are the only candidates.
  const before = offsetAt(local - 18 * 3_600_000, timeZone);
  const after = offsetAt(local + 18 * 3_600_000, timeZone);
  const valid = [...new Set([before, after])].map((o) => local - o).filter((t) => offsetAt(t, timeZone) === local - t);
  if (valid.length) return Math.min(...valid);
  // Skipped: the change lies between the instant read with the later offset (still before it) and with the earlier.
  let lo = local - after;
  let hi = local - before;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.max(MINUTE, Math.floor((hi - lo) / 2 / MINUTE) * MINUTE);
    if (offsetAt(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

export interface ReadyQuestion {
  now: Date;
  hours: OpeningHours;
  timeZone: string;
  /** Minutes of work, done while open, before the parcel is ready (0: ready as soon as the location is open). */
  handlingMinutes: number;
}

/**
 * The earliest instant at or after `now` by which `handlingMinutes` of open time have passed: when a pickup can be
 * ready for the customer, or a parcel handed to the carrier. Open now with enough time left today: now plus the
 * handling; closed, or not enough time left: the work goes on at the next opening. Undefined when the location is not
 * open long enough within a year.
 */
export function nextReadyAt(question: ReadyQuestion): Date | undefined {
  const { hours, timeZone } = question;
  const now = question.now.getTime();
  let remaining = Math.max(0, question.handlingMinutes) * MINUTE;
  const today = localTimeOf(question.now, timeZone).dayNumber;
  for (let day = today; day <= today + SEARCH_DAYS; day++) {
    for (const interval of hours[WEEKDAYS[weekdayOf(day)]!] ?? []) {
      const start = Math.max(now, instantOfLocal(day, minutesOf(interval.opens)!, timeZone));
      const end = instantOfLocal(day, minutesOf(interval.closes)!, timeZone);
      // Closed at its closing instant; an interval a clock change swallowed has no time in it.
      if (end <= start) continue;
      if (remaining <= end - start) return new Date(start + remaining);
      remaining -= end - start;
    }
  }
  return undefined;
}

/** The local calendar date (`YYYY-MM-DD`) of an instant in a zone: the day a promise names. */
export function localDateOf(instant: Date, timeZone: string): string {
  const { dayNumber } = localTimeOf(instant, timeZone);
  return new Date(dayNumber * DAY).toISOString().slice(0, 10);
}

/**
 * When a location can have a parcel ready, from its hours: `undefined` for a location without hours (it works round
 * the clock: ready now, as before hours existed); `'never'` when it opens too little to do the handling within a year.
 */
export function readyAtLocation(
  location: { openingHours?: OpeningHours; timeZone?: string; handlingMinutes?: number },
  now: Date,
): Date | 'never' | undefined {
  if (!location.openingHours || !location.timeZone) return undefined;
  return nextReadyAt({ now, hours: location.openingHours, timeZone: location.timeZone, handlingMinutes: location.handlingMinutes ?? DEFAULT_HANDLING_MINUTES }) ?? 'never';
}

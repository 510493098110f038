// Calendar arithmetic for promise dates. Dates are whole "day numbers" (days since 1970-01-01 on the
// proleptic Gregorian calendar) so that adding business days, skipping weekends and looking up holidays
// are integer operations with no Date objects: the cost model runs this for hundreds of locations per order.

const MS_PER_DAY = 86_400_000;
const OFFSET_PATTERN = /^([+-])(\d{2}):(\d{2})$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a civil date (H. Hinnant's days_from_civil; exact for any year). */
export function dayNumberFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** `YYYY-MM-DD` for a day number (H. Hinnant's civil_from_days). */
export function isoDateFromDayNumber(dayNumber: number): string {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Day number of a `YYYY-MM-DD` string, or `undefined` when it is not a real calendar date. */
export function parseIsoDate(value: string): number | undefined {
  const m = DATE_PATTERN.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const n = dayNumberFromCivil(year, month, day);
  // Round-tripping rejects 2025-02-30 and friends without a month-length table.
  return isoDateFromDayNumber(n) === value ? n : undefined;
}

/** 0 = Sunday ... 6 = Saturday. 1970-01-01 was a Thursday. */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

export function isBusinessDay(dayNumber: number, holidays: ReadonlySet<number>): boolean {
  const wd = weekdayOf(dayNumber);
  return wd !== 0 && wd !== 6 && !holidays.has(dayNumber);
}

export function nextBusinessDay(dayNumber: number, holidays: ReadonlySet<number>): number {
  let d = dayNumber + 1;
  while (!isBusinessDay(d, holidays)) d++;
  return d;
}

/** The business day `days` business days after `dayNumber` (itself when `days` is 0). */
export function addBusinessDays(dayNumber: number, days: number, holidays: ReadonlySet<number>): number {
  let d = dayNumber;
  for (let i = 0; i < days; i++) d = nextBusinessDay(d, holidays);
  return d;
}

// ---- time zones ----------------------------------------------------------------------------------

/** A fixed UTC offset (`+05:30`, `-06:00`, `Z`, `UTC`) in minutes, or `undefined` for anything else. */
function fixedOffsetMinutes(timeZone: string): number | undefined {
  if (timeZone === 'Z' || timeZone === 'UTC') return 0;
  const m = OFFSET_PATTERN.exec(timeZone);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  if (hours > 14 || minutes > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

// Building an Intl.DateTimeFormat costs tens of microseconds; one per zone per process is plenty.
// The cache only memoises a pure function of the zone name, so it does not make callers impure.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for a fixed offset (`+05:30`, `-06:00`, `Z`, `UTC`) or an IANA zone name this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  if (fixedOffsetMinutes(timeZone) !== undefined) return true;
  if (OFFSET_PATTERN.test(timeZone)) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalTime {
  /** The local calendar day. */
  readonly dayNumber: number;
  /** Milliseconds since local midnight. */
  readonly msOfDay: number;
}

// Offsets only change at DST transitions, and those fall on quarter hours of UTC for every zone in use
// today (all offsets are multiples of 15 minutes and transitions happen on the local hour or half hour).
// So one offset per zone per UTC quarter hour is exact, and orders arriving together share it.
const QUARTER_HOUR_MS = 900_000;
const offsetCache = new Map<string, { bucket: number; offsetMs: number }>();

function offsetMsOf(ms: number, timeZone: string): number {
  const bucket = Math.floor(ms / QUARTER_HOUR_MS);
  const hit = offsetCache.get(timeZone);
  if (hit && hit.bucket === bucket) return hit.offsetMs;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatterFor(timeZone).formatToParts(ms)) {
    const v = Number(part.value);
    if (part.type === 'year') year = v;
    else if (part.type === 'month') month = v;
    else if (part.type === 'day') day = v;
    else if (part.type === 'hour') hour = v;
    else if (part.type === 'minute') minute = v;
    else if (part.type === 'second') second = v;
  }
  const localAsUtc = dayNumberFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000;
  const offsetMs = localAsUtc - (ms - (((ms % 1000) + 1000) % 1000));
  offsetCache.set(timeZone, { bucket, offsetMs });
  return offsetMs;
}

/** Wall-clock day and time of an instant in a zone (IANA name via Intl, or a fixed offset). */
export function localTimeOf(instant: Date, timeZone: string): LocalTime {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('shipDate is not a valid date');
  const fixed = fixedOffsetMinutes(timeZone);
  const local = ms + (fixed !== undefined ? fixed * 60_000 : offsetMsOf(ms, timeZone));
  const dayNumber = Math.floor(local / MS_PER_DAY);
  return { dayNumber, msOfDay: local - dayNumber * MS_PER_DAY };
}

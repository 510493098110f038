/**
 * A pickup's store in a customer's words (pure): its address on one line, its opening hours grouped by equal days
 * ("Mon-Fri 9:00-18:00, Sat 10:00-16:00, Sun closed"), and instants in the store's own zone, named ("3:00 PM EST").
 * Read from what the pickup events carry (events/pickup-data.ts); any piece may be missing, and then it is left out.
 */

type Interval = { opens: string; closes: string };
type Day = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';
export type StoreHours = Partial<Record<Day, Interval[]>>;

/** The week as customers read it: Monday first. */
export const DISPLAY_WEEK: readonly Day[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_NAMES: Record<Day, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

/** `09:00` as `9:00`; `24:00` stays (midnight at the end of the day). Anything not a time is shown as given, bounded. */
function timeText(time: string): string {
  const match = /^(\d{1,2}):(\d{2})$/.exec(time);
  return match ? `${Number(match[1])}:${match[2]}` : oneLine(time).slice(0, 8);
}

function dayText(intervals: readonly Interval[] | undefined): string {
  if (!intervals?.length) return 'closed';
  if (intervals.length === 1 && intervals[0]!.opens === '00:00' && intervals[0]!.closes === '24:00') return 'open 24 hours';
  return intervals.map((i) => `${timeText(i.opens)}-${timeText(i.closes)}`).join(' and ');
}

/** Runs of consecutive days (Monday first) with the same hours, each with its days and its hours in words. */
export function groupOpeningHours(hours: StoreHours): Array<{ days: Day[]; text: string }> {
  const groups: Array<{ days: Day[]; text: string }> = [];
  for (const day of DISPLAY_WEEK) {
    const text = dayText(hours[day]);
    const last = groups.at(-1);
    if (last && last.text === text) last.days.push(day);
    else groups.push({ days: [day], text });
  }
  return groups;
}

/** `Mon-Fri 9:00-18:00, Sat 10:00-16:00, Sun closed`; `Mon-Sun 9:00-18:00` for a store open alike every day. */
export function formatOpeningHours(hours: StoreHours): string {
  return groupOpeningHours(hours)
    .map(({ days, text }) => `${DAY_NAMES[days[0]!]}${days.length > 1 ? `-${DAY_NAMES[days.at(-1)!]}` : ''} ${text}`)
    .join(', ');
}

// Generic names (without standard or daylight) are given for a zone as it is in recent years: one fixed instant keeps
// the function pure and its answer stable (in 1970, say, Berlin kept no summer time and is named by its standard time).
const GENERIC_NAME_AT = new Date(Date.UTC(2026, 0, 1));

/** The zone as people call it (`Eastern Time`), or its IANA name when the runtime has no such name for it. */
export function zoneName(timeZone: string): string | undefined {
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longGeneric' }).formatToParts(GENERIC_NAME_AT).find((p) => p.type === 'timeZoneName')?.value;
    return part && !/^GMT[+-]/.test(part) ? part : timeZone;
  } catch {
    return undefined;
  }
}

/** `Opening hours: Mon-Fri 9:00-18:00, Sat 10:00-16:00, Sun closed (Eastern Time)`, or undefined without hours. */
export function openingHoursLine(store: { openingHours?: StoreHours; timeZone?: string }): string | undefined {
  if (!store.openingHours || !DISPLAY_WEEK.some((d) => store.openingHours![d]?.length)) return undefined;
  const zone = store.timeZone ? zoneName(store.timeZone) : undefined;
  return `Opening hours: ${formatOpeningHours(store.openingHours)}${zone ? ` (${zone})` : ''}`;
}

/**
 * The address on one line: `120 Prince St, Floor 2, New York, NY 10012, US`. Undefined when it has neither a street
 * nor a city: a bare postal code places a store on the map but does not tell a customer where to go.
 */
export function addressLine(address: { line1?: string; line2?: string; city?: string; region?: string; postalCode: string; country: string } | undefined): string | undefined {
  if (!address || (!address.line1 && !address.city)) return undefined;
  const regionAndCode = [address.region, address.postalCode].filter(Boolean).join(' ');
  return [address.line1, address.line2, address.city, regionAndCode, address.country]
    .filter((part): part is string => Boolean(part))
    .map(oneLine)
    .filter(Boolean)
    .join(', ');
}

const formats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(timeZone: string): Intl.DateTimeFormat | undefined {
  let format = formats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short' });
    } catch {
      return undefined;
    }
    // A memo of a pure function of its argument (zones are few): it does not make callers impure.
    if (formats.size < 1_000) formats.set(timeZone, format);
  }
  return format;
}

/**
 * An ISO timestamp as `Monday, December 7, 10:00 AM EST` in the store's zone, or in UTC when the zone is unknown (or
 * not one this runtime knows); undefined for anything that is not a time.
 */
export function formatDateTimeIn(value: string | undefined, timeZone: string | undefined): string | undefined {
  const time = value ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) return undefined;
  const format = (timeZone ? dateTimeFormat(timeZone) : undefined) ?? dateTimeFormat('UTC')!;
  return format.format(new Date(time));
}

/** Data from events ends up in messages: no line breaks or control characters, bounded length. */
function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);
}

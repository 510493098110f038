// The regions a place is in, for rule-set scopes (the order's destination) and the `locationRegions` filter (each
// location): its country (`US`, `CA`), its US state as an ISO 3166-2 code (`US-NY`, from the ZIP's first three digits,
// or from the ZIP nearest its coordinates) and the tenant's custom regions that contain it (lists of states or ZIP
// prefixes, in the tenant's settings). Pure: a ZIP nearest to coordinates is looked up beforehand by the geo adapter.
import { z } from 'zod';
import { fiveDigitZip, usStateOfZip } from '../regions/region.ts';

export const MAX_CUSTOM_REGIONS = 100;
export const MAX_REGION_STATES = 70;
export const MAX_REGION_ZIP_PREFIXES = 1_000;

/** `NY`, `ny` or `US-NY`: a US state (or territory) as its two letters, optionally with the `US-` prefix. */
const stateCode = z.string().regex(/^(?:[Uu][Ss]-)?[A-Za-z]{2}$/, 'must be a US state code such as NY or US-NY');

export const customRegionSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[\p{L}\p{N}][\p{L}\p{N}._:-]{0,63}$/u, 'must be 1-64 letters, digits and . _ : - starting with a letter or digit')
      .refine((id) => !/^[A-Za-z]{2}$/.test(id) && !/^US-[A-Za-z]{2}$/i.test(id), 'must not look like a country (US) or a state (US-NY): those regions exist already'),
    states: z.array(stateCode).max(MAX_REGION_STATES, `must hold at most ${MAX_REGION_STATES} states`).optional(),
    zipPrefixes: z.array(z.string().regex(/^\d{1,5}$/, 'must be 1-5 digits')).max(MAX_REGION_ZIP_PREFIXES, `must hold at most ${MAX_REGION_ZIP_PREFIXES} prefixes`).optional(),
  })
  .refine((r) => (r.states?.length ?? 0) + (r.zipPrefixes?.length ?? 0) > 0, { message: 'give states or zipPrefixes', path: ['states'] });
export type CustomRegion = z.infer<typeof customRegionSchema>;

export const customRegionsSchema = z
  .array(customRegionSchema)
  .max(MAX_CUSTOM_REGIONS, `must hold at most ${MAX_CUSTOM_REGIONS} regions`)
  .superRefine((regions, ctx) => {
    const seen = new Set<string>();
    regions.forEach((r, i) => {
      const key = r.id.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate region id ${r.id} (ids are compared without case)` });
      seen.add(key);
    });
  });

export interface Place {
  readonly country: string;
  readonly postalCode?: string | undefined;
}

const stateOf = (code: string): string => {
  const upper = code.toUpperCase();
  return upper.startsWith('US-') ? upper : `US-${upper}`;
};

/**
 * The regions of a place, most general first: `[country, US state?, ...custom region ids]`. Outside the US only the
 * country (custom regions are made of US states and ZIPs). `nearestZip` stands in for a missing or unknown ZIP.
 */
export function regionsOf(place: Place, custom: readonly CustomRegion[] = [], nearestZip?: string): string[] {
  const country = place.country.trim().toUpperCase();
  if (country !== 'US') return [country];
  const given = place.postalCode ? fiveDigitZip(place.postalCode) : undefined;
  const zip = given && usStateOfZip(given) ? given : nearestZip ? fiveDigitZip(nearestZip) : undefined;
  const state = zip ? usStateOfZip(zip) : undefined;
  const regions = state ? [country, state] : [country];
  for (const region of custom) {
    const byState = state !== undefined && (region.states ?? []).some((s) => stateOf(s) === state);
    const byZip = zip !== undefined && (region.zipPrefixes ?? []).some((prefix) => zip.startsWith(prefix));
    if (byState || byZip) regions.push(region.id);
  }
  return regions;
}

/** Whether a place needs the ZIP nearest its coordinates to know its state: in the US without a ZIP we can place. */
export function needsNearestZip(place: Place): boolean {
  if (place.country.trim().toUpperCase() !== 'US') return false;
  const zip = place.postalCode ? fiveDigitZip(place.postalCode) : undefined;
  return !zip || !usStateOfZip(zip);
}

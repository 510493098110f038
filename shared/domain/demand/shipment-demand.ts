/**
 * Which shipment changes are demand (docs/forecasting.md, "Demand history"). Demand is counted when the DOM allocates
 * units to a location (a shipment is created, its units reserved there), on the UTC day of the allocation, and taken
 * back when that shipment is rejected or cancelled before it left: a rejected pick is routed again and counted where
 * it is allocated next, so the SKU's demand is counted once. Pure: the stream adapter hands in plain items.
 */

/** The parts of a Shipment item the roll-up reads. */
export interface ShipmentImage {
  tenantId: string;
  orderId: string;
  shipmentId: string;
  locationId: string;
  status: string;
  lines: Array<{ sku: string; quantity: number }>;
  createdAt: string;
}

export interface DemandLine {
  sku: string;
  units: number;
}

/** Units a shipment put on one day at one location, per SKU; `region` is filled in by the caller from the order. */
export interface ShipmentDemand {
  kind: 'count';
  tenantId: string;
  orderId: string;
  shipmentId: string;
  locationId: string;
  /** `YYYY-MM-DD`, UTC: the day the shipment was allocated. */
  day: string;
  lines: DemandLine[];
}

export interface ShipmentDemandReversal {
  kind: 'reverse';
  tenantId: string;
  shipmentId: string;
}

const TAKEN_BACK: ReadonlySet<string> = new Set(['REJECTED', 'CANCELLED']);

/** What a shipment's change does to demand: a count (created), a reversal (rejected or cancelled), or nothing. */
export function shipmentDemandChange(
  kind: 'INSERT' | 'MODIFY' | 'REMOVE',
  oldImage: ShipmentImage | undefined,
  newImage: ShipmentImage | undefined,
): ShipmentDemand | ShipmentDemandReversal | undefined {
  if (kind === 'INSERT' && newImage && !TAKEN_BACK.has(newImage.status)) {
    const lines = sumBySku(newImage.lines);
    if (!lines.length) return undefined;
    return {
      kind: 'count',
      tenantId: newImage.tenantId,
      orderId: newImage.orderId,
      shipmentId: newImage.shipmentId,
      locationId: newImage.locationId,
      day: newImage.createdAt.slice(0, 10),
      lines,
    };
  }
  if (kind === 'MODIFY' && newImage && TAKEN_BACK.has(newImage.status) && !(oldImage && TAKEN_BACK.has(oldImage.status))) {
    return { kind: 'reverse', tenantId: newImage.tenantId, shipmentId: newImage.shipmentId };
  }
  return undefined;
}

/** Lines of one SKU added together (a shipment may carry two lines of one SKU), in first-seen order, units > 0. */
export function sumBySku(lines: ReadonlyArray<{ sku: string; quantity: number }>): DemandLine[] {
  const units = new Map<string, number>();
  for (const line of lines) if (line.quantity > 0) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity);
  return [...units].map(([sku, n]) => ({ sku, units: n }));
}

/** Splits a shipment's lines into groups of at most `size` SKUs: each group is one transaction with its own marker. */
export function chunkLines(lines: readonly DemandLine[], size: number): DemandLine[][] {
  const chunks: DemandLine[][] = [];
  for (let i = 0; i < lines.length; i += size) chunks.push(lines.slice(i, i + size));
  return chunks;
}

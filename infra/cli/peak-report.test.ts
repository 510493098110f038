import { describe, expect, it } from 'vitest';
import { peakReport, type PeakOrder } from './peak-report.ts';

const start = Date.parse('2026-12-03T10:00:00Z');
const at = (ms: number) => new Date(start + ms).toISOString();

function order(id: string, createdMs: number, decided: { status: string; afterMs: number } | undefined, shipments: PeakOrder['shipments'] = []): PeakOrder {
  return {
    orderId: id,
    status: decided?.status ?? 'ACCEPTED',
    createdAt: at(createdMs),
    history: [{ status: 'ACCEPTED', at: at(createdMs) }, { status: 'ROUTING', at: at(createdMs + 5) }, ...(decided ? [{ status: decided.status, at: at(createdMs + decided.afterMs) }] : [])],
    shipments,
  };
}

describe('the peak-day report', () => {
  it('counts accepted and allocated orders per minute, time to allocate, parcels, cost and CO2 per order with parcels', () => {
    const report = peakReport({
      ordersPerMinute: 3,
      minutes: 2,
      load: { accepted: 4, repeated: 0, failed: [{ status: 503, body: '' }], latenciesMs: [10, 20, 30, 400], startedAt: start, endedAt: start + 120_000 },
      settled: [
        order('a', 1_000, { status: 'ALLOCATED', afterMs: 200 }, [{ status: 'REQUESTED', cost: 8, co2Grams: 300 }]),
        order('b', 59_000, { status: 'PARTIALLY_ALLOCATED', afterMs: 2_000 }, [{ status: 'REQUESTED', cost: 5, co2Grams: 100 }, { status: 'REJECTED', cost: 99 }]),
        order('c', 61_000, { status: 'ALLOCATED', afterMs: 600 }, [{ status: 'REQUESTED', cost: 4 }, { status: 'SHIPPED', cost: 6, co2Grams: 200 }]),
        order('d', 62_000, { status: 'BACKORDERED', afterMs: 100 }),
      ],
      unsettled: 1,
    });
    expect(report.perMinute).toEqual([
      { minute: 0, accepted: 2, allocated: 1 },
      { minute: 1, accepted: 2, allocated: 2 },
    ]);
    expect(report.timeToAllocate).toEqual({ orders: 3, p50Ms: 600, p99Ms: 2000 });
    // Three orders with parcels; the rejected parcel is not one.
    expect(report.parcelsPerOrder).toBe(1.333);
    expect(report.shippingCostPerOrder).toBe(7.67);
    expect(report.co2GramsPerOrder).toBe(200);
    expect(report.intake).toMatchObject({ accepted: 4, refused: 1, acceptedPerMinute: 2, acceptP50Ms: 20, acceptP99Ms: 400 });
    expect(report.byStatus).toEqual({ ALLOCATED: 2, PARTIALLY_ALLOCATED: 1, BACKORDERED: 1 });
    expect(report.unsettled).toBe(1);
  });

  it('reports nulls, not NaN, when nothing settled', () => {
    const report = peakReport({ ordersPerMinute: 1, minutes: 1, load: { accepted: 0, repeated: 0, failed: [], latenciesMs: [], startedAt: start, endedAt: start }, settled: [], unsettled: 0 });
    expect(report.timeToAllocate).toEqual({ orders: 0, p50Ms: null, p99Ms: null });
    expect([report.parcelsPerOrder, report.shippingCostPerOrder, report.intake.acceptP99Ms]).toEqual([null, null, null]);
  });
});

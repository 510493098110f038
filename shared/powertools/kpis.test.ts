import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import type { KpiObservation } from '#domain/table-events/kpis';
import { publishKpis } from './kpis.ts';

/** A real Powertools Metrics whose EMF documents are captured instead of printed. */
function capturing() {
  const metrics = new Metrics({ namespace: 'DOM', serviceName: 'business' });
  const documents: Array<Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } }> = [];
  const publish = metrics.publishStoredMetrics.bind(metrics);
  metrics.publishStoredMetrics = () => {
    if (metrics.hasStoredMetrics()) documents.push(metrics.serializeMetrics() as never);
    metrics.clearMetrics();
    metrics.clearDimensions();
    return publish();
  };
  return { metrics, documents };
}

const orderOf = (status: string, tenant: string): KpiObservation => ({ name: 'Orders', unit: 'Count', value: 1, dimensions: { status }, perTenant: tenant });

describe('publishing business KPIs as EMF', () => {
  it('puts orders by status in two dimension sets: with and without the tenant', () => {
    const { metrics, documents } = capturing();
    publishKpis([orderOf('ALLOCATED', 't_a'), orderOf('ALLOCATED', 't_a')], metrics);
    expect(documents).toHaveLength(1);
    const [doc] = documents;
    expect(doc!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'status'], ['service', 'status', 'tenant']]);
    expect(doc).toMatchObject({ service: 'business', status: 'ALLOCATED', tenant: 't_a', Orders: [1, 1] });
  });

  it('writes one document per dimension set and tenant, never a tenant on the distributions', () => {
    const { metrics, documents } = capturing();
    publishKpis(
      [
        orderOf('ALLOCATED', 't_a'),
        orderOf('ALLOCATED', 't_b'),
        { name: 'TimeToAllocate', unit: 'Milliseconds', value: 1200, dimensions: { attempt: 'first' } },
        { name: 'ParcelsPerOrder', unit: 'Count', value: 2, dimensions: {} },
        { name: 'ParcelShippingCost', unit: 'None', value: 7.25, dimensions: {} },
        { name: 'Reroutes', unit: 'Count', value: 1, dimensions: { reason: 'rejected' } },
      ],
      metrics,
    );
    const sets = documents.map((d) => d._aws.CloudWatchMetrics[0]!.Dimensions);
    expect(sets).toEqual([
      [['service', 'status'], ['service', 'status', 'tenant']],
      [['service', 'status'], ['service', 'status', 'tenant']],
      [['service', 'attempt']],
      [['service']],
      [['service', 'reason']],
    ]);
    expect(documents[2]!._aws.CloudWatchMetrics[0]!.Metrics).toEqual([{ Name: 'TimeToAllocate', Unit: 'Milliseconds' }]);
    expect(documents[3]).toMatchObject({ ParcelsPerOrder: 2, ParcelShippingCost: 7.25 });
    expect(documents.slice(2).every((d) => !('tenant' in d))).toBe(true);
  });

  it('splits more than 100 values of one metric over documents that all keep their dimensions', () => {
    const { metrics, documents } = capturing();
    publishKpis(Array.from({ length: 250 }, () => orderOf('ACCEPTED', 't_a')), metrics);
    expect(documents.map((d) => (d.Orders as number[]).length)).toEqual([100, 100, 50]);
    for (const doc of documents) expect(doc._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'status'], ['service', 'status', 'tenant']]);
  });

  it('publishes nothing for no observations', () => {
    const { metrics, documents } = capturing();
    publishKpis([], metrics);
    expect(documents).toEqual([]);
  });
});

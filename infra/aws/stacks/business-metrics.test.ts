import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { COUNTED_STATUSES, KPI, REROUTE_REASONS } from '../../../shared/domain/table-events/kpis.ts';
import { topology } from '../../topology.ts';
import { BUSINESS_ALARMS } from '../constructs/alarms-business.ts';
import { addDomStacks } from '../dom-app.ts';

// The templates, not the bundles, are under test (dom-stacks.test.ts runs cdk-nag over the same stacks). The alarms
// and dashboards are the stateless stack's nested monitoring stack.
let monitoring: Template;
let statelessResources: number;
let apiResources: number;

type Resource = { Type: string; Properties: Record<string, unknown> };
type MetricStat = { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: Array<{ Name: string; Value: unknown }> }; Period: number; Stat: string }; ReturnData?: boolean };

beforeAll(() => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'dom-cdk-kpi-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = addDomStacks(app, { stage: 'test' });
  app.synth();
  const template = (file: string) => Template.fromJSON(JSON.parse(readFileSync(path.join(outdir, file), 'utf8')) as Record<string, unknown>);
  monitoring = template(stacks.stateless.monitoring.templateFile);
  statelessResources = Object.keys(template(stacks.stateless.templateFile).toJSON().Resources as object).length;
  apiResources = Object.keys(template(stacks.stateless.apiStack.templateFile).toJSON().Resources as object).length;
}, 60_000);

/** A dashboard's body as text: CloudFormation joins it from literal parts and references (region, alarm ARNs). */
function bodyText(dashboard: Resource): string {
  const body = dashboard.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  return body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
}

function dashboards(): Resource[] {
  return Object.values(monitoring.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
}

function alarm(idPrefix: string): Resource {
  const found = Object.entries(monitoring.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith(`BusinessAlarms${idPrefix}`));
  expect(found, idPrefix).toHaveLength(1);
  return found[0]![1] as Resource;
}

const business = { Name: 'service', Value: 'business' };

describe('the monitoring stack', () => {
  it('holds the alarms and dashboards apart, leaving the stateless stack under CloudFormation\'s 500 resources', () => {
    expect(statelessResources).toBeLessThan(500);
    // The REST API is nested as well (its own 500).
    expect(apiResources).toBeLessThan(500);
    expect(Object.keys(monitoring.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(50);
  });
});

describe('the dashboards', () => {
  it('are two: the technical one and the business one beside it', () => {
    expect(dashboards()).toHaveLength(2);
    const texts = dashboards().map(bodyText);
    expect(texts.filter((t) => t.includes('API requests and errors'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('business KPIs'))).toHaveLength(1);
  });

  it('keeps the technical dashboard on API, functions, workflows and parked messages', () => {
    const technical = dashboards().map(bodyText).find((t) => t.includes('API requests and errors'))!;
    for (const title of ['API latency p99', 'Function errors', 'Function duration p99', 'Workflows', 'Messages waiting for an operator']) expect(technical).toContain(title);
    expect(technical).not.toContain('"business"');
  });

  it('shows every business KPI from the business service, orders by status and by tenant, and the alarms', () => {
    const text = dashboards().map(bodyText).find((t) => t.includes('business KPIs'))!;
    for (const name of Object.values(KPI)) expect(text, name).toContain(`"${name}"`);
    for (const status of COUNTED_STATUSES) expect(text, status).toContain(`"status","${status}"`);
    for (const reason of REROUTE_REASONS) expect(text, reason).toContain(`"reason","${reason}"`);
    expect(text).toContain('"service","business"');
    expect(text).toMatch(/SEARCH\('\{DOM,service,status,tenant\} MetricName=\\"Orders\\" service=\\"business\\" status=\\"ALLOCATED\\"', 'Sum', 300\)/);
    expect(text).toContain('"stat":"p99"');
    expect(text).toContain('StockDrift');
    // The alarm status widget lists the business alarms and the stock reconciler's.
    for (const id of ['OrdersStuckPastDeadline', 'FailedOrderRate', 'LateShipmentRate', 'TimeToAllocateP99', 'StockDriftFound']) expect(text, id).toContain(id);
  });
});

describe('the business alarms', () => {
  it('raise one alarm when the sweeper finds any order stuck past its deadline, per sweep', () => {
    expect(alarm('OrdersStuckPastDeadline').Properties).toMatchObject({
      Namespace: 'DOM',
      MetricName: KPI.ordersStuck,
      Dimensions: [business],
      Statistic: 'Sum',
      Period: (topology.schedules.sweepStuckOrders?.rateMinutes ?? 0) * 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('raise an alarm on the FAILED share of decided orders, with a minimum number of orders', () => {
    const { Properties } = alarm('FailedOrderRate');
    const { periodMinutes, thresholdPercent, minimumOrders } = BUSINESS_ALARMS.failedRate;
    expect(Properties).toMatchObject({ Threshold: thresholdPercent, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    const metrics = Properties.Metrics as MetricStat[];
    const returned = metrics.filter((m) => m.ReturnData !== false);
    expect(returned).toHaveLength(1);
    expect(returned[0]!.Expression).toBe(`IF(decided >= ${minimumOrders}, 100 * FILL(d_failed, 0) / decided, 0)`);
    const counted = metrics.filter((m) => m.MetricStat).map((m) => [m.MetricStat!.Metric.MetricName, m.MetricStat!.Metric.Dimensions.find((d) => d.Name === 'status')?.Value, m.MetricStat!.Period, m.MetricStat!.Stat]);
    expect(counted.sort()).toEqual(['ALLOCATED', 'BACKORDERED', 'FAILED', 'PARTIALLY_ALLOCATED'].map((s) => ['Orders', s, periodMinutes * 60, 'Sum']));
  });

  it('raise an alarm on late shipments as a share of parcels, over hours', () => {
    const { Properties } = alarm('LateShipmentRate');
    const { periodHours, thresholdPercent, minimumParcels } = BUSINESS_ALARMS.lateShipmentRate;
    expect(Properties).toMatchObject({ Threshold: thresholdPercent, ComparisonOperator: 'GreaterThanThreshold' });
    const metrics = Properties.Metrics as MetricStat[];
    expect(metrics.find((m) => m.Expression)!.Expression).toBe(`IF(FILL(parcels, 0) >= ${minimumParcels}, 100 * FILL(late, 0) / parcels, 0)`);
    const names = metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!.Metric.MetricName, m.MetricStat!.Period, m.MetricStat!.Metric.Dimensions]);
    expect(names.sort()).toEqual([
      ['late', KPI.lateShipments, periodHours * 3600, [business]],
      ['parcels', KPI.parcels, periodHours * 3600, [business]],
    ]);
  });

  it("raise an alarm when the p99 of the first decision's time stays above a minute", () => {
    const { periodMinutes, thresholdMs, periods } = BUSINESS_ALARMS.timeToAllocateP99;
    expect(alarm('TimeToAllocateP99').Properties).toMatchObject({
      Namespace: 'DOM',
      MetricName: KPI.timeToAllocate,
      Dimensions: [{ Name: 'attempt', Value: 'first' }, business],
      ExtendedStatistic: 'p99',
      Period: periodMinutes * 60,
      Threshold: thresholdMs,
      EvaluationPeriods: periods,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('keep the webhook dead-letter queues, stream iterator age and stock drift alarmed (DomAlarms)', () => {
    const descriptions = Object.values(monitoring.findResources('AWS::CloudWatch::Alarm')).map((a) => String((a as Resource).Properties.AlarmDescription));
    for (const queue of ['webhookEventsDlq', 'webhookDeliveriesDlq']) expect(descriptions, queue).toContain(`${queue} holds messages that need an operator`);
    for (const mapping of Object.keys(topology.streamMappings)) expect(descriptions.some((d) => d.startsWith(`${mapping}: the stream consumer is more than 60 s behind`)), mapping).toBe(true);
    expect(descriptions.filter((d) => d.startsWith('The stock reconciler found'))).toHaveLength(1);
  });

  it('notify the ops topic on alarm and on recovery', () => {
    for (const id of ['OrdersStuckPastDeadline', 'FailedOrderRate', 'LateShipmentRate', 'TimeToAllocateP99']) {
      const { Properties } = alarm(id);
      expect(Properties.AlarmActions, id).toHaveLength(1);
      expect(Properties.OKActions, id).toEqual(Properties.AlarmActions);
      expect(JSON.stringify(Properties.AlarmActions)).toMatch(/AlarmsTopic/);
    }
  });
});

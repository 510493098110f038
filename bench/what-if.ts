// What-if replay throughput and record size (issue 15): decisions recorded by the live planning code (planParcels) on
// a seeded network, then replayed by simulate() under a candidate rule set. Prints orders replayed per second (target
// >= 500), the record's size as JSON and as stored (deflated), and what recording costs the fulfil step per order.
//   npx tsx bench/what-if.ts [--orders 5000] [--locations 40] [--runs 5] [--http 1000]
// --http N also measures the product's path on the local cloud: N of the records written to the table as the fulfil
// step writes them, then POST /simulations over them (read back from their 8 partitions a day, replayed, compared).
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { costModelFor } from '../shared/domain/carriers/cost-model.ts';
import { planParcels } from '../shared/domain/orders/planning.ts';
import { rulesOf, workload } from '../shared/domain/orders/what-if-fixtures.ts';
import { simulate, withShadowDecision } from '../shared/domain/orders/what-if.ts';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '5000' }, locations: { type: 'string', default: '40' }, runs: { type: 'string', default: '5' }, http: { type: 'string', default: '0' } } });
const orders = Number(values.orders);
const runs = Number(values.runs);

const candidate = rulesOf(2, [
  { id: 'marketplace', scope: { channels: ['marketplace'] }, split: { policy: 'single' } },
  { id: 'default', preferences: { default: 'greenest' }, rankedLocations: { order: ['loc-3', 'loc-10'], penaltyPerRank: 0.8 }, filters: { excludedLocations: ['loc-0'] } },
]);

const { inputs } = workload(2026, orders, Number(values.locations));
let started = performance.now();
const plans = inputs.map((input) => planParcels(input));
const planMs = performance.now() - started;
const records = plans.map((p) => p.record!);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// Wall time and this process's CPU time: on a shared machine the wall rate falls with the load, the CPU rate much less.
const rates: number[] = [];
const cpuRates: number[] = [];
let changed = 0;
for (let run = 0; run < runs; run++) {
  started = performance.now();
  const cpu = process.cpuUsage();
  const report = simulate(records, candidate);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  rates.push((records.length / ms) * 1000);
  cpuRates.push(records.length / ((used.user + used.system) / 1e6));
  changed = report.comparison.changed;
}

const json = records.map((r) => Buffer.byteLength(JSON.stringify(r)));
const stored = records.map((r) => deflateRawSync(JSON.stringify(r)).length);

// What recording adds to the fulfil step: pricing the other three preferences (three more cost-model passes over the
// stocked candidates, as recordDecision does) and deflating the record; and the shadow's second routing.
const sample = inputs.slice(0, Math.min(1000, inputs.length));
const sampleRecords = records.slice(0, sample.length);
// CPU milliseconds of this process per order (wall time on a loaded machine says more about the neighbours).
let cpuStart = process.cpuUsage();
const cpuMsPerOrder = () => {
  const used = process.cpuUsage(cpuStart);
  cpuStart = process.cpuUsage();
  return (used.user + used.system) / 1000 / sample.length;
};
for (const input of sample) {
  const stocked = new Set(input.networks.flatMap((n) => n.locations.filter((l) => l.available > 0).map((l) => l.locationId)));
  const locations = input.locations.filter((l) => stocked.has(l.locationId)).map((l) => ({ id: l.locationId, type: l.type, lat: l.geo.lat, lon: l.geo.lon, handlingCost: l.handlingCost }));
  for (const preference of ['cheapest', 'fastest', 'greenest'] as const) costModelFor({ table: input.rateTable, destination: input.destination, shipDate: input.now, typicalWeightLb: 2, locations, preference });
}
const otherPreferencesMs = cpuMsPerOrder();
for (const record of sampleRecords) deflateRawSync(JSON.stringify(record));
const deflateMs = cpuMsPerOrder();
for (const input of sample) planParcels(input);
const planWithRecordMs = cpuMsPerOrder();
const shadow = { rules: candidate, scope: {}, installedAt: new Date(0).toISOString() };
cpuMsPerOrder();
for (const record of sampleRecords) withShadowDecision(record, shadow, () => performance.now());
const shadowMs = cpuMsPerOrder();

const http = Number(values.http) > 0 ? await overHttp(records.slice(0, Number(values.http))) : undefined;

console.log(
  JSON.stringify(
    {
      ...(http ? { http } : {}),
      orders: records.length,
      candidatesPerOrder: Math.round((records.reduce((n, r) => n + r.candidates.length, 0) / records.length) * 10) / 10,
      replayedPerSecond: { median: Math.round(median(rates)), min: Math.round(Math.min(...rates)), max: Math.round(Math.max(...rates)) },
      replayedPerCpuSecond: { median: Math.round(median(cpuRates)), min: Math.round(Math.min(...cpuRates)), max: Math.round(Math.max(...cpuRates)) },
      loadAverage: loadavg()[0]!.toFixed(1),
      changed,
      recordBytes: { jsonMean: Math.round(json.reduce((a, b) => a + b, 0) / json.length), storedMean: Math.round(stored.reduce((a, b) => a + b, 0) / stored.length), storedMax: Math.max(...stored) },
      fulfilStepCpuMsPerOrder: { planParcelsWithRecord: +planWithRecordMs.toFixed(3), ofWhichOtherPreferences: +otherPreferencesMs.toFixed(3), deflate: +deflateMs.toFixed(3), shadowRoute: +shadowMs.toFixed(3), firstPassPlan: +(planMs / orders).toFixed(3) },
    },
    null,
    2,
  ),
);

/** POST /simulations on the local cloud over `sample` records written as the fulfil step writes them; `runs` times. */
async function overHttp(sample: typeof records) {
  const { startTestCloud, createTestTenant } = await import('../infra/local/tools/testing.ts');
  const { DomApi } = await import('../infra/local/tools/api-client.ts');
  const cloud = await startTestCloud();
  try {
    const tenant = await createTestTenant('What-if Bench');
    const { decisionRecordItem } = await import('../shared/adapters/dynamodb/decision-record-store.ts');
    const { BatchWriteCommand, documentClient, tableName } = await import('../shared/adapters/dynamodb/client.ts');
    const items = sample.map((record) => decisionRecordItem(tenant.tenantId, record));
    for (let i = 0; i < items.length; i += 25) {
      let requests: unknown[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      while (requests?.length) {
        const out = await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests as never } }));
        requests = out.UnprocessedItems?.[tableName()] as unknown[] | undefined;
      }
    }
    const api = new DomApi(cloud.apiUrl, tenant.apiKey);
    const decided = sample.map((r) => r.decidedAt).sort();
    const body = { rules: candidate.ruleSets, from: decided[0]!, to: new Date(Date.parse(decided.at(-1)!) + 1).toISOString() };
    const perSecond: number[] = [];
    let answer: { comparison?: { decisions?: number; changed?: number } } = {};
    for (let run = 0; run < runs; run++) {
      const t0 = performance.now();
      answer = await api.ok('POST', '/simulations', body);
      perSecond.push((sample.length / (performance.now() - t0)) * 1000);
    }
    return { orders: sample.length, simulated: answer.comparison?.decisions, changed: answer.comparison?.changed, perSecond: { median: Math.round(median(perSecond)), min: Math.round(Math.min(...perSecond)), max: Math.round(Math.max(...perSecond)) } };
  } finally {
    await cloud.close();
  }
}

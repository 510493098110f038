// Routes orders given in the benchmark's normalised format and writes plans in its plan format.
// Usage: npm run route -- --in problems.jsonl [--out plans.jsonl] [--budget-ms 50] [--max-nodes 100000]
//        npm run route -- --batch --in batches.jsonl [--out plans.jsonl] [--budget-ms N] [--max-iterations 150]
// (--batch: windows of orders over shared stock, in the format of ../shared/bench/batch/README.md)
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { allocateBatch } from '../../shared/domain/routing/batch/allocate-batch.ts';
import type { Batch } from '../../shared/domain/routing/batch/types.ts';
import { solveRouting } from '../../shared/domain/routing/solver.ts';

const problemSchema = z.object({
  id: z.string().min(1),
  order: z.object({
    lines: z.array(
      z.object({ lineId: z.string().optional(), sku: z.string().min(1), quantity: z.number().int().nonnegative(), weightLb: z.number().nonnegative() }),
    ),
  }),
  locations: z.array(
    z.object({
      id: z.string().min(1),
      shipmentCost: z.number().finite(),
      unitCost: z.number().finite(),
      inventory: z.record(z.string(), z.number()),
    }),
  ),
});

const { values } = parseArgs({
  options: {
    in: { type: 'string' },
    out: { type: 'string' },
    'budget-ms': { type: 'string' },
    'max-nodes': { type: 'string', default: '100000' },
    batch: { type: 'boolean', default: false },
    'max-iterations': { type: 'string' },
  },
});
if (!values.in) {
  console.error('usage: npm run route -- --in problems.jsonl [--out plans.jsonl] [--budget-ms 50] [--max-nodes 100000]');
  console.error('       npm run route -- --batch --in batches.jsonl [--out plans.jsonl] [--budget-ms N] [--max-iterations 150]');
  process.exit(2);
}
if (values.batch) {
  routeBatches(values.in, values.out, values['budget-ms'], values['max-iterations']);
  process.exit(process.exitCode ?? 0);
}

const budgetMs = Number(values['budget-ms'] ?? '50');
const maxNodes = Number(values['max-nodes']);
const out: string[] = [];
let notProven = 0;
const lines = fs.readFileSync(values.in, 'utf8').split('\n');
lines.forEach((text, i) => {
  if (!text.trim()) return;
  const parsed = problemSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    console.error(`${values.in}:${i + 1}: ${z.prettifyError(parsed.error)}`);
    process.exitCode = 1;
    return;
  }
  const p = parsed.data;
  const t0 = performance.now();
  const r = solveRouting({ lines: p.order.lines, locations: p.locations }, { timeBudgetMs: budgetMs, maxNodes, now: () => performance.now() });
  const ms = performance.now() - t0;
  if (!r.optimal) notProven++;
  out.push(
    JSON.stringify({
      id: p.id,
      allocations: r.allocations,
      cost: Math.round(r.cost * 1e4) / 1e4,
      optimal: r.optimal,
      ms: Math.round(ms * 1000) / 1000,
      nodes: r.nodes,
      ...(r.unfilled.length ? { unfilled: r.unfilled } : {}),
    }),
  );
});

const body = out.join('\n') + '\n';
if (values.out) {
  fs.writeFileSync(values.out, body);
  console.error(`routed ${out.length} order(s) to ${values.out}; ${notProven} not proven optimal`);
} else process.stdout.write(body);

// --batch: every line is validated before any is routed; a bad line is reported with the field it
// names (path inside the batch) and the run exits with code 2, writing nothing.
function routeBatches(inFile: string, outFile: string | undefined, budget: string | undefined, iterations: string | undefined): void {
  const nonNegative = z.number().finite().nonnegative();
  const batchSchema = z
    .object({
      id: z.string().min(1),
      unfilledPenalty: nonNegative,
      locations: z.array(
        z.object({
          id: z.string().min(1),
          type: z.string().optional(),
          lat: z.number().optional(),
          lon: z.number().optional(),
          inventory: z.record(z.string(), nonNegative),
        }),
      ),
      orders: z.array(
        z.object({
          orderId: z.string().min(1),
          groupKey: z.string().min(1),
          destination: z.object({ lat: z.number(), lon: z.number() }).optional(),
          lines: z.array(z.object({ lineId: z.string().min(1), sku: z.string().min(1), quantity: z.number().int().nonnegative(), weightLb: nonNegative })),
          costs: z.record(z.string(), z.object({ shipmentCost: nonNegative, unitCost: nonNegative })),
        }),
      ),
    })
    .superRefine((b, ctx) => {
      const unique = (ids: string[], path: (i: number) => (string | number)[], what: string) => {
        const seen = new Set<string>();
        ids.forEach((id, i) => {
          if (seen.has(id)) ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what} ${JSON.stringify(id)}` });
          seen.add(id);
        });
      };
      unique(b.locations.map((l) => l.id), (i) => ['locations', i, 'id'], 'location id');
      unique(b.orders.map((o) => o.orderId), (i) => ['orders', i, 'orderId'], 'orderId');
      b.orders.forEach((o, oi) => unique(o.lines.map((l) => l.lineId), (i) => ['orders', oi, 'lines', i, 'lineId'], 'lineId'));
    });
  const usage = (flag: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) {
      console.error(`--${flag}: expected a positive number, got ${JSON.stringify(value)}`);
      process.exit(2);
    }
    return n;
  };
  const budgetMs = usage('budget-ms', budget);
  const maxIterations = usage('max-iterations', iterations);

  const batches: Batch[] = [];
  let bad = 0;
  fs.readFileSync(inFile, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.trim()) return;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        console.error(`${inFile}:${i + 1}: not JSON (${(e as Error).message})`);
        bad++;
        return;
      }
      const parsed = batchSchema.safeParse(json);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          console.error(`${inFile}:${i + 1}: ${issue.path.length ? issue.path.join('.') : '(batch)'}: ${issue.message}`);
        }
        bad++;
        return;
      }
      batches.push(parsed.data);
    });
  if (bad > 0) {
    console.error(`${bad} invalid batch line(s); nothing routed`);
    process.exitCode = 2;
    return;
  }

  const out: string[] = [];
  let proven = 0;
  for (const batch of batches) {
    const t0 = performance.now();
    const plan = allocateBatch(batch, { ...(budgetMs !== undefined ? { timeBudgetMs: budgetMs, now: () => performance.now() } : {}), ...(maxIterations !== undefined ? { maxIterations } : {}) });
    const ms = performance.now() - t0;
    if (plan.optimal) proven++;
    out.push(JSON.stringify({ ...plan, ms: Math.round(ms * 1000) / 1000 }));
  }
  const body = out.join('\n') + '\n';
  if (outFile) {
    fs.writeFileSync(outFile, body);
    console.error(`allocated ${out.length} batch(es) to ${outFile}; ${proven} proven optimal`);
  } else process.stdout.write(body);
}

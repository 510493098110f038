// Routes orders given in the benchmark's normalised format and writes plans in its plan format.
// Usage: npm run route -- --in problems.jsonl [--out plans.jsonl] [--budget-ms 50] [--max-nodes 100000]
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
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
    'budget-ms': { type: 'string', default: '50' },
    'max-nodes': { type: 'string', default: '100000' },
  },
});
if (!values.in) {
  console.error('usage: npm run route -- --in problems.jsonl [--out plans.jsonl] [--budget-ms 50] [--max-nodes 100000]');
  process.exit(2);
}

const budgetMs = Number(values['budget-ms']);
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

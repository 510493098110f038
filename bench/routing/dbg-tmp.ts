import path from 'node:path';
import { solveRouting } from '../../shared/domain/routing/solver.ts';
import { readJsonl, type BenchProblem } from './problem.ts';
const cls = process.argv[2] ?? 'scarce';
const problems = readJsonl<BenchProblem>(path.resolve(`/work/shared/bench/routing/${cls}.jsonl`));
for (let rep = 0; rep < 3; rep++) {
  const rows: [string, number, number, boolean][] = [];
  for (const p of problems) {
    const t0 = performance.now();
    const r = solveRouting({ lines: p.order.lines, locations: p.locations }, { timeBudgetMs: 25, now: () => performance.now() });
    rows.push([p.id, performance.now() - t0, r.nodes, r.optimal]);
  }
  rows.sort((a, b) => b[1] - a[1]);
  console.log(rows.slice(0, 4).map((r) => `${r[0]} ${r[1].toFixed(2)}ms ${r[2]} ${r[3]}`).join(' | '));
}

// Reference: the batch's exact mixed-integer program, solved by HiGHS (npm `highs`, MIT, WASM; dev only:
// nothing under shared/ imports it).
//   min  sum_{g,i} shipmentCost_gi y_gi + sum_{k,i} unitCost_ki weight_k x_ki + penalty sum_k u_k
//   s.t. sum_i x_ki + u_k = quantity_k                 every line k
//        sum_{k of sku s} x_ki <= stock_is             every (location, sku) more than one line may use
//        x_ki <= min(quantity_k, stock_is) y_g(k)i     every line and location it may use
//        y binary; x, u >= 0 continuous
// x may stay continuous: once y is fixed, what is left is a transportation problem with integer
// stock and demand, whose basic solutions are integral. A solution with a fractional x is re-solved
// with x integer (never seen on the sample).
import type { Batch, BatchAllocation } from '../../shared/domain/routing/batch/types.ts';

type Highs = Awaited<ReturnType<typeof import('highs').default>>;
let highs: Highs | undefined;

export async function loadHighs(): Promise<void> {
  const load = (await import('highs')).default;
  highs = await load();
  // The first solve pays for the module's own set-up; keep it out of every timing.
  highs.solve('Minimize\n obj: x\nSubject To\n c: x >= 1\nEnd', { output_flag: false });
}

export interface ExactResult {
  readonly allocations: BatchAllocation[];
  readonly status: string;
  readonly objective: number;
}

export function solveBatchMilp(batch: Batch, options: { timeLimitS?: number } = {}): ExactResult {
  const first = solve(batch, false, options.timeLimitS);
  if (first.fractional) return solve(batch, true, options.timeLimitS);
  return first;
}

function solve(batch: Batch, integerX: boolean, timeLimitS?: number): ExactResult & { fractional: boolean } {
  if (!highs) throw new Error('call loadHighs() first');
  const inv = new Map(batch.locations.map((l) => [l.id, l.inventory]));
  const firstOfGroup = new Map<string, Batch['orders'][number]>();
  for (const o of batch.orders) if (!firstOfGroup.has(o.groupKey)) firstOfGroup.set(o.groupKey, o);

  const obj: string[] = [];
  const rows: string[] = [];
  const bounds: string[] = [];
  const binaries: string[] = [];
  const generals: string[] = [];
  const yName = new Map<string, string>();
  const stockRows = new Map<string, string[]>();
  const xs: { name: string; orderId: string; lineId: string; locationId: string }[] = [];
  const term = (coef: number, name: string) => `${coef >= 0 ? '+' : '-'} ${Math.abs(coef)} ${name}`;

  batch.orders.forEach((o, oi) => {
    o.lines.forEach((line, li) => {
      if (line.quantity <= 0) return;
      const u = `u${oi}_${li}`;
      obj.push(term(batch.unfilledPenalty, u));
      bounds.push(`0 <= ${u} <= ${line.quantity}`);
      const fill: string[] = [`${u}`];
      for (const locationId in o.costs) {
        const units = inv.get(locationId)?.[line.sku] ?? 0;
        if (!(units > 0)) continue;
        const c = o.costs[locationId]!;
        const yKey = `${o.groupKey}|${locationId}`;
        let y = yName.get(yKey);
        if (!y) {
          y = `y${yName.size}`;
          yName.set(yKey, y);
          binaries.push(y);
          obj.push(term((firstOfGroup.get(o.groupKey)!.costs[locationId] ?? c).shipmentCost, y));
        }
        const x = `x${xs.length}`;
        xs.push({ name: x, orderId: o.orderId, lineId: line.lineId, locationId });
        const cap = Math.min(line.quantity, Math.floor(units));
        obj.push(term(c.unitCost * line.weightLb, x));
        bounds.push(`0 <= ${x} <= ${cap}`);
        if (integerX) generals.push(x);
        fill.push(`+ ${x}`);
        rows.push(`l${x}: ${x} - ${cap} ${y} <= 0`);
        const sk = `${locationId}\u0000${line.sku}`;
        const list = stockRows.get(sk);
        if (list) list.push(x);
        else stockRows.set(sk, [x]);
      }
      rows.push(`f${oi}_${li}: ${fill.join(' ')} = ${line.quantity}`);
    });
  });
  let s = 0;
  for (const [sk, list] of stockRows) {
    if (list.length < 2) continue; // one line: its bound already caps it at the stock
    const [locationId, sku] = splitKey(sk);
    rows.push(`s${s++}: ${list.join(' + ')} <= ${Math.floor(inv.get(locationId)![sku]!)}`);
  }

  const lp = [
    'Minimize',
    ` obj: ${obj.join(' ')}`,
    'Subject To',
    ...rows.map((r) => ` ${r}`),
    'Bounds',
    ...bounds.map((b) => ` ${b}`),
    'Binaries',
    ` ${binaries.join(' ')}`,
    ...(generals.length ? ['Generals', ` ${generals.join(' ')}`] : []),
    'End',
  ].join('\n');
  const result = highs!.solve(lp, {
    output_flag: false,
    mip_rel_gap: 0,
    ...(timeLimitS !== undefined ? { time_limit: timeLimitS } : {}),
  });
  const allocations: BatchAllocation[] = [];
  let fractional = false;
  const columns = (result as { Columns?: Record<string, { Primal?: number }> }).Columns ?? {};
  for (const x of xs) {
    const v = columns[x.name]?.Primal ?? 0;
    const q = Math.round(v);
    if (Math.abs(v - q) > 1e-6) fractional = true;
    if (q > 0) allocations.push({ orderId: x.orderId, lineId: x.lineId, locationId: x.locationId, quantity: q });
  }
  return { allocations, status: result.Status, objective: (result as { ObjectiveValue?: number }).ObjectiveValue ?? NaN, fractional };
}

// (location, sku) keys are joined by a NUL, which neither contains.
function splitKey(sk: string): [string, string] {
  const i = sk.indexOf("\u0000");
  return [sk.slice(0, i), sk.slice(i + 1)];
}

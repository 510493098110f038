// Forecasts daily demand per SKU x location from a history CSV and writes the benchmark's forecast and policy files.
// Usage: npm run forecast -- --history <history.csv> --horizon <days> --out <forecast.csv>
//                            [--lead-time-days 7] [--service-level 0.95] [--policy-out <policy.csv>]
// Formats: ../shared/bench/forecast/README.md; methods: docs/forecasting.md. Bad input: a message naming it, exit 2.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { forecastPanel, type ForecastReport } from '../../shared/domain/forecasting/engine.ts';
import { formatForecastCsv, formatPolicyCsv, HistoryFormatError, parseHistoryCsv } from '../../shared/domain/forecasting/history.ts';

const USAGE =
  'usage: npm run forecast -- --history <history.csv> --horizon <days> --out <forecast.csv> [--lead-time-days L] [--service-level s] [--policy-out <policy.csv>]';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ForecastArgs {
  readonly history: string;
  readonly horizon: number;
  readonly out: string;
  readonly leadTimeDays: number;
  readonly serviceLevel: number;
  readonly policyOut?: string;
}

export interface ForecastRun {
  readonly series: number;
  readonly report: ForecastReport;
  /** Milliseconds spent reading and parsing, forecasting, and writing. */
  readonly ms: { readonly read: number; readonly forecast: number; readonly write: number; readonly total: number };
}

export function parseForecastArgs(argv: readonly string[]): ForecastArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        history: { type: 'string' },
        horizon: { type: 'string' },
        out: { type: 'string' },
        'lead-time-days': { type: 'string', default: '7' },
        'service-level': { type: 'string', default: '0.95' },
        'policy-out': { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (!values.history || !values.horizon || !values.out) throw new UsageError(`--history, --horizon and --out are required\n${USAGE}`);
  const horizon = Number(values.horizon);
  if (!(Number.isInteger(horizon) && horizon >= 1 && horizon <= 3660)) throw new UsageError(`--horizon must be a whole number of days from 1 to 3660, got "${values.horizon}"`);
  const leadTimeDays = Number(values['lead-time-days']);
  if (!(Number.isInteger(leadTimeDays) && leadTimeDays >= 1 && leadTimeDays <= 365)) {
    throw new UsageError(`--lead-time-days must be a whole number of days from 1 to 365, got "${values['lead-time-days']}"`);
  }
  const serviceLevel = Number(values['service-level']);
  if (!(serviceLevel > 0 && serviceLevel < 1)) throw new UsageError(`--service-level must be a probability strictly between 0 and 1, got "${values['service-level']}"`);
  return { history: values.history, horizon, out: values.out, leadTimeDays, serviceLevel, policyOut: values['policy-out'] };
}

/** Reads the history, forecasts, writes the files. Throws UsageError or HistoryFormatError on bad input. */
export function runForecast(args: ForecastArgs, now: () => number = () => performance.now()): ForecastRun {
  const t0 = now();
  let text: string;
  try {
    text = fs.readFileSync(args.history, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --history ${args.history}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let panel;
  try {
    panel = parseHistoryCsv(text);
  } catch (e) {
    if (e instanceof HistoryFormatError) throw new HistoryFormatError(`${args.history}: ${e.message}`);
    throw e;
  }
  const t1 = now();
  const result = forecastPanel(panel, { horizon: args.horizon, leadTimeDays: args.leadTimeDays, serviceLevel: args.serviceLevel });
  const t2 = now();
  fs.writeFileSync(args.out, formatForecastCsv(panel, result.forecasts));
  if (args.policyOut) fs.writeFileSync(args.policyOut, formatPolicyCsv(panel, result.policy));
  const t3 = now();
  return { series: panel.series.length, report: result.report, ms: { read: t1 - t0, forecast: t2 - t1, write: t3 - t2, total: t3 - t0 } };
}

function main(argv: readonly string[]): number {
  try {
    const args = parseForecastArgs(argv);
    const run = runForecast(args);
    const r = run.report;
    console.error(
      `forecast ${run.series} series (${r.skus} SKUs) ${args.horizon} days ahead in ${(run.ms.total / 1000).toFixed(1)} s -> ${args.out}` +
        (args.policyOut ? `; reorder points for L=${args.leadTimeDays}, s=${args.serviceLevel} -> ${args.policyOut}` : ''),
    );
    console.error(`methods by demand pattern: locations ${JSON.stringify(r.methods.location)}; SKU totals ${JSON.stringify(r.methods.sku)}`);
    console.error(
      `SKU total: ${r.reconciliation.total}; location split: ${r.reconciliation.ownForecastWeight} x own forecast + ${1 - r.reconciliation.ownForecastWeight} x ${r.reconciliation.shareDays}-day shares`,
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof HistoryFormatError || e instanceof RangeError) {
      console.error(`forecast: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));

// Forecasting benchmark: runs the forecast CLI's code (infra/cli/forecast.ts) on a history, scores the forecast and
// the reorder points with the benchmark's own scorer (../shared/bench/forecast/score.mjs, as a child process) and
// prints our figures next to its baselines, with the targets of issue 18. The tables go to stdout, progress to stderr;
// the last line of stdout is one JSON object with the headline figures.
//   npm run bench:forecast                       the public sample (horizon 28, L = 7, s = 0.95)
//   npm run bench:forecast -- --data <dir>       another set laid out like it (history.csv, actuals.csv)
//   npm run bench:forecast -- --scale [--seed 1] 10,000 series x 365 days from bench/forecast/generate.ts, in a temp dir
//   npm run bench:forecast -- --generate --seed 7 --skus 100 --days 730 --first-date 2022-11-20 --slow-share 0.6
//                              --yearly 0.12    a smaller generated set (5 locations per SKU), to check other mixtures
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runForecast, type ForecastRun } from '../infra/cli/forecast.ts';
import { DEFAULT_GENERATOR, generateDemand } from './forecast/generate.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.resolve(repoRoot, '../shared/bench/forecast');
const HORIZON = 28;
const LEAD_TIME_DAYS = 7;
const SERVICE_LEVEL = 0.95;

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    scale: { type: 'boolean', default: false },
    generate: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    skus: { type: 'string', default: '100' },
    days: { type: 'string', default: '730' },
    'first-date': { type: 'string', default: DEFAULT_GENERATOR.firstDate },
    'slow-share': { type: 'string', default: String(DEFAULT_GENERATOR.slowShare) },
    yearly: { type: 'string', default: String(DEFAULT_GENERATOR.yearlyAmplitude) },
    keep: { type: 'boolean', default: false },
  },
});

interface Score {
  series: number;
  scored: number;
  missing: number;
  invalid: number;
  rmsse: number;
  baselines: Record<string, number>;
  best: string;
  ratioBest: number;
  agg: { skus: number; rmsse: number; baselines: Record<string, number>; ratioSnaive: number };
  policy: {
    missing: number;
    invalid: number;
    inconsistent: number;
    service: number;
    serviceSe: number;
    serviceTop20: number;
    reorderPointSum: number;
    velocity: { service: number; serviceTop20: number; reorderPointSum: number };
    normal: { service: number; serviceTop20: number; reorderPointSum: number };
    ratioVelocity: number;
    ratioNormal: number;
  };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'forecast-bench-'));
let name: string;
let historyPath: string;
let actualsPath: string;
if (values.scale || values.generate) {
  const options = values.scale
    ? { ...DEFAULT_GENERATOR, seed: Number(values.seed), skus: 2000, locations: 5, historyDays: 365, horizon: HORIZON }
    : {
        ...DEFAULT_GENERATOR,
        seed: Number(values.seed),
        skus: Number(values.skus),
        historyDays: Number(values.days),
        firstDate: values['first-date'],
        slowShare: Number(values['slow-share']),
        yearlyAmplitude: Number(values.yearly),
        horizon: HORIZON,
      };
  console.error(`generating ${options.skus * options.locations} series x ${options.historyDays} days (seed ${options.seed}) in ${work}`);
  const set = generateDemand(options);
  historyPath = path.join(work, 'history.csv');
  actualsPath = path.join(work, 'actuals.csv');
  fs.writeFileSync(historyPath, set.history);
  fs.writeFileSync(actualsPath, set.actuals);
  name =
    `generated set: ${set.series} series x ${options.historyDays} days from ${options.firstDate} (seed ${options.seed}, ` +
    `${Math.round(100 * options.slowShare)} % slow SKUs, yearly +-${Math.round(100 * options.yearlyAmplitude)} %)`;
} else {
  const dir = values.data ? path.resolve(values.data) : benchDir;
  historyPath = path.join(dir, 'history.csv');
  actualsPath = path.join(dir, 'actuals.csv');
  name = values.data ? dir : 'public sample (../shared/bench/forecast)';
}

const forecastPath = path.join(work, 'forecast.csv');
const policyPath = path.join(work, 'policy.csv');
console.error(`forecasting ${historyPath} ...`);
const run: ForecastRun = runForecast({
  history: historyPath,
  horizon: HORIZON,
  out: forecastPath,
  leadTimeDays: LEAD_TIME_DAYS,
  serviceLevel: SERVICE_LEVEL,
  policyOut: policyPath,
});
console.error(`scoring with ${path.relative(repoRoot, path.join(benchDir, 'score.mjs'))} ...`);
const scoreOut = execFileSync(
  process.execPath,
  [path.join(benchDir, 'score.mjs'), historyPath, actualsPath, forecastPath, policyPath, '--lead-time-days', String(LEAD_TIME_DAYS), '--service-level', String(SERVICE_LEVEL)],
  { encoding: 'utf8', maxBuffer: 1 << 24 },
);
const score = JSON.parse(scoreOut) as Score & { error?: string };
if (score.error) throw new Error(`scorer: ${score.error}`);
if (!values.keep) fs.rmSync(work, { recursive: true, force: true });

const f4 = (x: number) => x.toFixed(4);
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const mark = (ok: boolean) => (ok ? 'holds' : '**fails**');
const baselineNames = ['snaive', 'ma28', 'sba', 'ses'];
const p = score.policy;
const seconds = run.ms.total / 1000;

const checks = values.scale
  ? [
      { what: `RMSSE <= 1.02 x best baseline (${score.best})`, value: f4(score.ratioBest), ok: score.ratioBest <= 1.02 },
      { what: '10,000 series x 365 days forecast in < 60 s', value: `${seconds.toFixed(1)} s`, ok: seconds < 60 },
      { what: 'complete (no missing or invalid rows)', value: `${score.missing + p.missing} missing, ${score.invalid + p.invalid} invalid`, ok: score.missing + score.invalid + p.missing + p.invalid === 0 },
    ]
  : [
      { what: `mean RMSSE <= 0.99 x best baseline (${score.best})`, value: f4(score.ratioBest), ok: score.ratioBest <= 0.99 },
      { what: 'SKU-level RMSSE <= 0.77 x seasonal naive', value: f4(score.agg.ratioSnaive), ok: score.agg.ratioSnaive <= 0.77 },
      { what: 'cycle service 93-97 % pooled', value: pct(p.service), ok: p.service >= 0.93 && p.service <= 0.97 },
      { what: 'cycle service >= 90 % over the top 20 %', value: pct(p.serviceTop20), ok: p.serviceTop20 >= 0.9 },
      { what: 'reorder-point total <= 0.50 x velocity rule', value: f4(p.ratioVelocity), ok: p.ratioVelocity <= 0.5 },
      { what: 'complete and consistent (no missing, invalid or inconsistent rows)', value: `${score.missing + p.missing} / ${score.invalid + p.invalid} / ${p.inconsistent}`, ok: score.missing + score.invalid + p.missing + p.invalid + p.inconsistent === 0 },
    ];

const lines: string[] = [];
lines.push(`## Forecast benchmark: ${name}`);
lines.push('');
lines.push(`${score.series} series (${score.scored} scored), ${score.agg.skus} SKUs, horizon ${HORIZON} days, L = ${LEAD_TIME_DAYS}, s = ${SERVICE_LEVEL}`);
lines.push('');
lines.push(`| RMSSE (lower is better) | ours | ${baselineNames.join(' | ')} | ours / best baseline | ours / snaive |`);
lines.push(`|---|---|${baselineNames.map(() => '---|').join('')}---|---|`);
lines.push(
  `| per SKU x location | **${f4(score.rmsse)}** | ${baselineNames.map((b) => (b === score.best ? `${f4(score.baselines[b]!)} (best)` : f4(score.baselines[b]!))).join(' | ')} | ${f4(score.ratioBest)} | ${f4(score.rmsse / score.baselines.snaive!)} |`,
);
const aggBest = baselineNames.reduce((a, b) => (score.agg.baselines[b]! < score.agg.baselines[a]! ? b : a));
lines.push(
  `| per SKU (summed over locations) | **${f4(score.agg.rmsse)}** | ${baselineNames.map((b) => (b === aggBest ? `${f4(score.agg.baselines[b]!)} (best)` : f4(score.agg.baselines[b]!))).join(' | ')} | ${f4(score.agg.rmsse / score.agg.baselines[aggBest]!)} | ${f4(score.agg.ratioSnaive)} |`,
);
lines.push('');
lines.push('| reorder points | cycle service (pooled) | top 20 % of series | reorder-point total | total / velocity rule |');
lines.push('|---|---|---|---|---|');
lines.push(`| ours (negative binomial, backtest-calibrated) | **${pct(p.service)}** (se ${pct(p.serviceSe)}) | **${pct(p.serviceTop20)}** | **${int(p.reorderPointSum)}** | **${f4(p.ratioVelocity)}** |`);
lines.push(`| velocity rule (avg + (max - avg)) x L | ${pct(p.velocity.service)} | ${pct(p.velocity.serviceTop20)} | ${int(p.velocity.reorderPointSum)} | 1.0000 |`);
lines.push(`| normal rule avg x L + z sd sqrt(L) | ${pct(p.normal.service)} | ${pct(p.normal.serviceTop20)} | ${int(p.normal.reorderPointSum)} | ${f4(p.normal.reorderPointSum / p.velocity.reorderPointSum)} |`);
lines.push('');
lines.push('| target (issue 18) | measured | |');
lines.push('|---|---|---|');
for (const c of checks) lines.push(`| ${c.what} | ${c.value} | ${mark(c.ok)} |`);
lines.push('');
const r = run.report;
lines.push(
  `- run time: ${seconds.toFixed(1)} s (read ${(run.ms.read / 1000).toFixed(1)} s, forecast ${(run.ms.forecast / 1000).toFixed(1)} s, write ${(run.ms.write / 1000).toFixed(1)} s), one process, ` +
    `${os.cpus()[0]?.model ?? 'unknown CPU'} x ${os.cpus().length}, Node ${process.version}`,
);
lines.push(`- methods by demand pattern: locations ${JSON.stringify(r.methods.location)}; SKU totals ${JSON.stringify(r.methods.sku)}`);
lines.push(
  `- SKU total: ${r.reconciliation.total}; location split: ${r.reconciliation.ownForecastWeight} x the location's own forecast + ${1 - r.reconciliation.ownForecastWeight} x its ${r.reconciliation.shareDays}-day shares; ` +
    `closed days ${r.closedDays}; yearly factor ${r.yearly ? 'used' : 'not used'}; reorder-point variance multipliers by volume band ${r.policy.bandMultipliers.map((x) => x.toFixed(2)).join(', ')}`,
);
process.stdout.write(lines.join('\n') + '\n');
process.stdout.write(
  JSON.stringify({
    set: values.scale ? 'scale' : values.generate ? 'generated' : values.data ? 'data' : 'sample',
    series: score.series,
    rmsse: score.rmsse,
    best: score.best,
    ratioBest: score.ratioBest,
    skuRmsse: score.agg.rmsse,
    skuRatioSnaive: score.agg.ratioSnaive,
    service: p.service,
    serviceTop20: p.serviceTop20,
    reorderPointSum: p.reorderPointSum,
    ratioVelocity: p.ratioVelocity,
    seconds: Math.round(seconds * 10) / 10,
    targetsHold: checks.every((c) => c.ok),
  }) + '\n',
);

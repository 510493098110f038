import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrashRun, type CrashReport, type CrashViolations } from './crash-harness.ts';

/**
 * Issue 13, "Done when": the on-disk local cloud (`npm start`) under 300 orders, SIGKILLed as a process group while
 * about half are answered and the workflows are routing, restarted on the same data directory, the client resending
 * with the same Idempotency-Key whatever it had no answer for. The scenario runs once; each test checks one promise.
 * `npm run crash-test -- --runs 5` runs the same driver five times in a row.
 */
const ORDERS = 300;
const SETTLE_MS = 60_000;

const crash = new CrashRun({ orders: ORDERS, concurrency: 24, settleMs: SETTLE_MS, keep: process.env.CRASH_TEST_KEEP === '1', log: (line) => console.error(line) });
let report: CrashReport;

beforeAll(async () => {
  report = await crash.execute();
  console.error(JSON.stringify({ timings: report.timings, requests: report.requests, statuses: report.statuses, executions: report.executions, logErrors: report.logErrors.count }));
}, 300_000);

afterAll(async () => {
  await crash.dispose();
}, 30_000);

/** Empty, or the count and the first entries, so a failure reads as a diagnosis rather than a 300-item diff. */
function none(name: keyof CrashViolations, sample = 8): void {
  const list = report.violations[name];
  expect({ [name]: list.length, first: list.slice(0, sample) }).toEqual({ [name]: 0, first: [] });
}

describe('a SIGKILL of the on-disk local cloud with 300 orders in flight, then a restart on the same data', () => {
  it('crashes while orders are in flight and resends what had no answer', () => {
    expect(report.orders).toBeGreaterThanOrEqual(300);
    expect(report.requests.answeredBeforeKill).toBeGreaterThanOrEqual(Math.floor(ORDERS / 2));
    expect(report.requests.answeredBeforeKill).toBeLessThan(ORDERS);
    expect(report.requests.inFlightAtKill).toBeGreaterThan(0);
    expect(report.requests.resentAfterRestart).toBeGreaterThan(0);
  });

  it('answers every order 202 or 200 once the client has retried with the same key', () => {
    none('unanswered');
  });

  it('keeps every order it answered, before or after the kill', () => {
    none('missing');
  });

  it('settles every order within 60 s of the restart, none ACCEPTED, ROUTING or FAILED', () => {
    const byCause: Record<string, number> = {};
    for (const u of report.violations.unsettled) byCause[u.cause] = (byCause[u.cause] ?? 0) + 1;
    expect(byCause).toEqual({});
    none('unsettled');
    expect(report.timings.settledAfterRestart).not.toBeNull();
    expect(report.timings.settledAfterRestart!).toBeLessThanOrEqual(SETTLE_MS);
  });

  it('creates exactly one order per idempotency key', () => {
    none('duplicateKeys');
    none('unknownOrders');
    none('answerMismatch');
  });

  it('reserves exactly the units of the open shipments, and ships nothing', () => {
    none('reservedMismatch');
    none('onHandChanged');
    none('stockArithmetic');
  });

  it('allocates no unit twice: each line holds its units once, in open shipments or on backorder', () => {
    none('lineAccounting');
  });
});

// The one JSON line `npm run bench:orders` ends with (issue 16, item 6): what a script comparing runs reads, so its
// field names are a contract. Pure: the run's measured figures in, a flat object of rounded numbers (or null) out.

/** The fields, in the order the issue lists them. Renaming or dropping one breaks the scripts that read the line. */
export const SUMMARY_FIELDS = [
  'acceptedPerSec',
  'allocatedPerSec',
  'acceptP50Ms',
  'acceptP99Ms',
  'costPerOrderUsd',
  'dynamodbCallsPerOrder',
  'lambdaInvocationsPerOrder',
  'transitionsPerOrder',
  'rssMiB',
  'orders',
  'stuck',
] as const;

export type OrdersSummary = Record<(typeof SUMMARY_FIELDS)[number], number | null> & {
  /** Present, and false, when the run did not meter the AWS calls: the four per-order cost fields are then null. */
  metered?: false;
};

/** What the run measured, unrounded; undefined (or NaN) where the run did not measure it. */
export interface MeasuredRun {
  acceptedPerSec: number;
  /** Orders that left ACCEPTED/ROUTING per second ("fully routed throughput"); undefined with --intake-only. */
  allocatedPerSec?: number;
  acceptP50Ms: number;
  acceptP99Ms: number;
  /** From the cost meter; undefined when it did not see every call (intake's included). */
  cost?: {
    usdPerOrder: number;
    dynamodbCallsPerOrder: number;
    lambdaInvocationsPerOrder: number;
    transitionsPerOrder: number;
  };
  /** Resident memory after the idle period, in bytes. */
  rssBytes?: number;
  /** Orders placed after the warm-up. */
  orders: number;
  /** Orders still ACCEPTED or ROUTING at the end. */
  stuck?: number;
}

const round = (value: number | undefined, digits: number): number | null => {
  if (value === undefined || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

export function buildSummary(run: MeasuredRun): OrdersSummary {
  const summary: OrdersSummary = {
    acceptedPerSec: round(run.acceptedPerSec, 1),
    allocatedPerSec: round(run.allocatedPerSec, 1),
    acceptP50Ms: round(run.acceptP50Ms, 1),
    acceptP99Ms: round(run.acceptP99Ms, 1),
    // A fraction of a thousandth of a dollar: nine decimals keep four significant digits at the issue's $0.00005.
    costPerOrderUsd: round(run.cost?.usdPerOrder, 9),
    dynamodbCallsPerOrder: round(run.cost?.dynamodbCallsPerOrder, 2),
    lambdaInvocationsPerOrder: round(run.cost?.lambdaInvocationsPerOrder, 2),
    transitionsPerOrder: round(run.cost?.transitionsPerOrder, 2),
    rssMiB: round(run.rssBytes === undefined ? undefined : run.rssBytes / 1024 / 1024, 0),
    orders: round(run.orders, 0),
    stuck: round(run.stuck, 0),
  };
  if (!run.cost) summary.metered = false;
  return summary;
}

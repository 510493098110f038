import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { LOCAL_CLOUD_NODE_FLAGS } from '../../../infra/local/node-flags.ts';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { seededRandom } from '../../../infra/local/tools/demo-network.ts';
import { inParallel } from '#application/in-parallel';

/**
 * The crash test of issue 13, as a driver that the integration test and `npm run crash-test` share.
 *
 * It starts `npm start` (infra/local/start.ts) on a fresh on-disk DOM_DATA_DIR in its own process group, fires orders
 * at the demo tenant with a fixed number in flight, SIGKILLs the whole group once about half have been answered, starts
 * it again on the same directory and, like a careful client, resends with the same Idempotency-Key and body every
 * request it had no answer for. Then it checks, only through the public API (and the Step Functions endpoint for the
 * diagnosis), that what was promised held: every answered order exists, every order settles within the window,
 * one order per key, and the stock's reservations are exactly the open shipments' units.
 *
 * Nothing here is random but the server: the orders come from a seeded generator, so two runs send the same requests.
 */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');

/** Order end states a crash may leave an order in: routed, or clearly waiting for stock. */
export const SETTLED_STATUSES: ReadonlySet<string> = new Set(['ALLOCATED', 'PARTIALLY_ALLOCATED', 'BACKORDERED', 'CANCELLED']);
const OPEN_SHIPMENT_STATUSES: ReadonlySet<string> = new Set(['REQUESTED', 'ACCEPTED']);

/** Channel names as merchants write them, valid for intake (issue 13: they must work end to end). */
const CHANNELS = ['web', 'Web', 'amazon.com', 'shop:us', 'Marketplace-EU', 'marketplace', 'pos'] as const;
/** US ZIPs near the demo network's locations (every region has stock of the common SKUs). */
const ZIPS = ['10001', '11201', '02116', '19103', '20001', '30309', '33131', '60611', '48226', '55402', '75201', '78701', '77002', '80202', '85004', '84101', '90017', '94103', '97205', '98101'] as const;
/** The demo's scarce SKUs (5, 4 and 5 units in the whole network): orders for them compete. */
const SCARCE_SKUS = ['TEE-BLK-M', 'SNKR-LTD-10', 'JACKET-RAIN-M'] as const;
const COMMON_SKUS = [
  'TEE-BLK-L',
  'TEE-WHT-M',
  'HOODIE-GRY-M',
  'HOODIE-GRY-L',
  'JEANS-IND-32',
  'SOCKS-3PK',
  'CAP-NAVY',
  'SNKR-RUN-9',
  'SNKR-RUN-10',
  'BOOT-HIKE-10',
  'SANDAL-8',
  'MUG-CERAMIC',
  'TOWEL-BATH',
  'CANDLE-CEDAR',
  'THROW-WOOL',
  'LAMP-DESK',
  'RUG-5X8',
] as const;
const ALL_SKUS = [...SCARCE_SKUS, ...COMMON_SKUS];

export interface CrashOptions {
  /** Orders to place (at least 300 for the acceptance test). */
  orders?: number;
  /** Requests in flight. */
  concurrency?: number;
  /** SIGKILL once this many orders were answered (default: half of them). */
  killAfter?: number;
  /** How long after the restart every order must have settled. */
  settleMs?: number;
  /** Seed of the order generator. */
  seed?: number;
  /** Keep the temp directory (data and logs) for inspection. */
  keep?: boolean;
  /**
   * Issue 17: a release window (minutes) on every rule set of the demo tenant, set before the first order. Orders then
   * wait for it and are allocated by the scheduled release; the settle time grows by the window plus one release tick.
   */
  windowMinutes?: number;
  /** Issue 17 step 3: with a window, the rule sets also re-optimise unaccepted shipments saving at least this much. */
  reoptimiseMinSaving?: number;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

interface OrderBody {
  channel: string;
  customer: { id: string };
  shipTo: { country: 'US'; postalCode: string };
  lines: Array<{ lineId: string; sku: string; quantity: number }>;
}

interface Attempt {
  phase: 'before-kill' | 'after-restart';
  status?: number;
  /** The problem's detail of a non-2xx answer. */
  detail?: string;
  error?: string;
  /** Whether the kill was already sent when the attempt ended. */
  endedAfterKill: boolean;
}

interface PlannedOrder {
  key: string;
  body: OrderBody;
  attempts: Attempt[];
  /** The orderId of the 2xx answer. */
  orderId?: string;
  answer?: { status: number; phase: Attempt['phase'] };
}

interface ShipmentView {
  shipmentId: string;
  locationId: string;
  status: string;
  lines: Array<{ lineId: string; sku: string; quantity: number }>;
}

interface OrderView {
  orderId: string;
  status: string;
  statusReason?: string;
  channel: string;
  customer: { id?: string };
  lines: Array<{ lineId: string; sku: string; quantity: number }>;
  allocations: Array<{ lineId: string; sku: string; locationId: string; quantity: number }>;
  backorderedLines: Array<{ lineId: string; sku: string; quantity: number }>;
  shipments?: ShipmentView[];
  routing?: { attempt: number };
  history: Array<{ status: string; at: string; reason?: string }>;
  /** Issue 17 step 3: the moves re-optimisation made on the order. */
  reoptimised?: unknown[];
  updatedAt: string;
}

interface StockRow {
  locationId: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  available: number;
}

type Stock = Map<string, StockRow & { sku: string }>;

interface LocalJson {
  apiUrl: string;
  demoApiKey: string;
  demoTenantId: string;
  region: string;
  endpoints: { dynamodb: string; sfn: string };
  tableName: string;
  stateMachines: { orderFulfillment: string };
  pid: number;
}

export interface ExecutionSummary {
  name: string;
  status: string;
  startDate?: string;
  stopDate?: string;
  error?: string;
  cause?: string;
  /** The last events of a running or failed execution: where it stopped. */
  lastEvents?: string[];
}

export interface CrashViolations {
  /** Orders never answered 2xx, not even after the restart and retries. */
  unanswered: Array<{ key: string; attempts: Attempt[] }>;
  /** Answered 2xx, but GET /orders/{id} does not find them. */
  missing: Array<{ key: string; orderId: string; status: number }>;
  /** Not in an allowed end state when the settle window closed. */
  unsettled: Array<{ key: string; orderId: string; status: string; cause: string; statusReason?: string; channel: string; history: OrderView['history']; attempt?: number; executions: ExecutionSummary[] }>;
  /** Idempotency keys with more than one order, or orders nobody asked for (listed in GET /orders). */
  duplicateKeys: Array<{ key: string; orderIds: string[] }>;
  unknownOrders: Array<{ orderId: string; customerId?: string; status: string }>;
  /** The orderId a key was answered with is not the one order listed for that key. */
  answerMismatch: Array<{ key: string; answered: string; listed: string[] }>;
  /** On-hand moved, though nothing was shipped. */
  onHandChanged: Array<{ locationId: string; sku: string; before: number; after: number }>;
  /** reserved differs from the units in open (REQUESTED/ACCEPTED) shipments at that location. */
  reservedMismatch: Array<{ locationId: string; sku: string; reserved: number; openShipmentUnits: number; shipments: string[] }>;
  /** available is not max(0, onHand - reserved - safetyStock), or more is reserved than onHand - safetyStock allows. */
  stockArithmetic: Array<{ locationId: string; sku: string; onHand: number; reserved: number; safetyStock: number; available: number }>;
  /** An order line holds more units in open shipments than were ordered, or (settled) open + backordered differs from ordered. */
  lineAccounting: Array<{ orderId: string; status: string; lineId: string; sku: string; quantity: number; openShipmentUnits: number; backordered: number }>;
}

export interface CrashReport {
  dir: string;
  seed: number;
  orders: number;
  concurrency: number;
  killAfter: number;
  settleMs: number;
  /** Release window on the demo tenant's rule sets (issue 17), minutes; 0: none. */
  windowMinutes: number;
  /** Re-optimisation's threshold on those rule sets (issue 17 step 3); absent: off. */
  reoptimiseMinSaving?: number;
  /** Milliseconds from the first start. */
  timings: { firstReady: number; killed: number; restartReady: number; resent: number; settledAfterRestart: number | null; checked: number };
  requests: {
    answeredBeforeKill: number;
    inFlightAtKill: number;
    notSentAtKill: number;
    resentAfterRestart: number;
    /** Count of final answers by status and phase (e.g. "202 before-kill"). */
    answers: Record<string, number>;
  };
  projectionReady: boolean;
  /** Orders by status at the end. */
  statuses: Record<string, number>;
  /** Orders whose unaccepted shipments re-optimisation moved (with --reoptimise). */
  reoptimisedOrders?: number;
  /** Executions of the order workflow by status at the end. */
  executions: Record<string, number>;
  violations: CrashViolations;
  /** WARN/ERROR lines of the second start's log, first few, for the diagnosis. */
  logErrors: { count: number; first: string[] };
}


/** Issue 17: every rule set of the tenant gets `minutes` of release window (a new version of its rules). */
async function setReleaseWindow(api: Api, minutes: number, reoptimiseMinSaving?: number): Promise<void> {
  const current = await api.ok<{ version: number; isDefault: boolean; ruleSets: Array<Record<string, unknown>> }>('/routing-rules');
  const reoptimise = reoptimiseMinSaving !== undefined ? { reoptimise: { enabled: true, minSaving: reoptimiseMinSaving } } : {};
  const ruleSets = current.ruleSets.map((ruleSet) => ({ ...ruleSet, releaseWindowMinutes: minutes, ...reoptimise }));
  const put = await api.request('PUT', '/routing-rules', { ruleSets, expectedVersion: current.isDefault ? 0 : current.version });
  if (put.status !== 200) throw new Error(`PUT /routing-rules -> ${put.status}: ${JSON.stringify(put.body)}`);
}

/** The orders of a run: 1-3 lines of distinct demo SKUs, about a quarter asking for a scarce SKU. */
export function planOrders(count: number, seed: number): PlannedOrder[] {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const key = `crash-${seed}-${String(i).padStart(4, '0')}`;
    const lineCount = 1 + Math.floor(next() * 3);
    const skus = new Set<string>();
    if (next() < 0.25) skus.add(pick(SCARCE_SKUS));
    while (skus.size < lineCount) skus.add(pick(COMMON_SKUS));
    const lines = [...skus].map((sku, l) => ({ lineId: `l${l + 1}`, sku, quantity: 1 + Math.floor(next() * ((SCARCE_SKUS as readonly string[]).includes(sku) ? 2 : 3)) }));
    // The customer id is the key, so the listing tells which key each order came from.
    return { key, body: { channel: CHANNELS[i % CHANNELS.length]!, customer: { id: key }, shipTo: { country: 'US', postalCode: pick(ZIPS) }, lines }, attempts: [] };
  });
}

/** The API client with what a retrying merchant needs: a timeout per request and the Retry-After it was told. */
class Api {
  private readonly client: DomApi;
  constructor(baseUrl: string, apiKey: string) {
    this.client = new DomApi(baseUrl, apiKey);
  }

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<{ status: number; body: T; retryAfterMs?: number }> {
    const response = await this.client.request<T>(method, path, body, headers, timeoutMs);
    const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
    return { status: response.status, body: response.body, ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}) };
  }

  close(): void {
    this.client.close();
  }

  /** A read, retried while throttled (429) or failing (5xx); 200 and 404 are answers. */
  async get<T>(path: string): Promise<{ status: number; body: T }> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.request<T>('GET', path);
      if (response.status !== 429 && response.status < 500) return response;
      if (attempt >= 6) throw new Error(`GET ${path} -> ${response.status}: ${JSON.stringify(response.body)}`);
      await sleep(Math.max(response.retryAfterMs ?? 0, 200 * 2 ** attempt));
    }
  }

  async ok<T>(path: string): Promise<T> {
    const response = await this.get<T>(path);
    if (response.status !== 200) throw new Error(`GET ${path} -> ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/**
 * One run of the scenario. `execute()` does it all and returns the report; `dispose()` (call it in a finally or an
 * afterAll) kills the process group if it is still there and removes the temp directory.
 */
export class CrashRun {
  readonly options: Required<Omit<CrashOptions, 'log' | 'reoptimiseMinSaving'>> & Pick<CrashOptions, 'log' | 'reoptimiseMinSaving'>;
  private child: ChildProcess | undefined;
  private dir = '';
  private readonly started = Date.now();
  private readonly killOnExit = () => this.killGroup();

  constructor(options: CrashOptions = {}) {
    const orders = options.orders ?? 300;
    this.options = {
      orders,
      concurrency: options.concurrency ?? 24,
      killAfter: options.killAfter ?? Math.floor(orders / 2),
      // A held order settles once its window is due and the release (every minute) has run.
      settleMs: (options.settleMs ?? 60_000) + (options.windowMinutes ? (options.windowMinutes + 1) * 60_000 : 0),
      seed: options.seed ?? 13,
      keep: options.keep ?? false,
      windowMinutes: options.windowMinutes ?? 0,
      ...(options.reoptimiseMinSaving !== undefined ? { reoptimiseMinSaving: options.reoptimiseMinSaving } : {}),
      log: options.log,
    };
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  private log(line: string): void {
    this.options.log?.(`[crash ${((Date.now() - this.started) / 1000).toFixed(1)}s] ${line}`);
  }

  private elapsed(): number {
    return Date.now() - this.started;
  }

  /** Starts `npm start --json` in its own process group and waits for a local.json written by this start. */
  private async start(logName: string): Promise<LocalJson> {
    const localJsonPath = join(this.dataDir, 'local.json');
    // A SIGKILLed start leaves its local.json behind: remove it so only this start's counts as ready.
    await rm(localJsonPath, { force: true });
    const logFd = openSync(join(this.dir, logName), 'a');
    const env: NodeJS.ProcessEnv = { ...process.env, DOM_DATA_DIR: this.dataDir, PORT: '0' };
    for (const name of Object.keys(env)) if (name.startsWith('AWS_ENDPOINT_URL')) delete env[name];
    const child = spawn(process.execPath, [TSX_CLI, ...LOCAL_CLOUD_NODE_FLAGS, 'infra/local/start.ts', '--json'], { cwd: REPO_ROOT, detached: true, env, stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    this.child = child;
    let exited: string | undefined;
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
    });
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`npm start ${exited} before it was ready:\n${this.logTail(logName)}`);
      const text = await readFile(localJsonPath, 'utf8').catch(() => undefined);
      if (text) {
        try {
          const local = JSON.parse(text) as LocalJson;
          const api = new Api(local.apiUrl, local.demoApiKey);
          try {
            if ((await api.request('GET', '/health', undefined, {}, 5_000)).status === 200) return local;
          } finally {
            api.close();
          }
        } catch {
          // Being written, or not listening yet.
        }
      }
      await sleep(100);
    }
    throw new Error(`npm start was not ready within 120 s:\n${this.logTail(logName)}`);
  }

  private logTail(logName: string, chars = 3_000): string {
    try {
      return readFileSync(join(this.dir, logName), 'utf8').slice(-chars);
    } catch {
      return '(no log)';
    }
  }

  /** SIGKILL to the whole group: the tsx CLI, the start script and every thread and child it has. */
  private killGroup(): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.child!.exitCode !== null || this.child!.signalCode !== null) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  private async killAndWait(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
    this.killGroup();
    await exited;
    // The group's other members die with the same signal; give the kernel a moment to reap them and free the ports.
    await sleep(200);
  }

  async dispose(): Promise<void> {
    process.off('exit', this.killOnExit);
    await this.killAndWait();
    if (this.dir && !this.options.keep) await rm(this.dir, { recursive: true, force: true });
  }

  async execute(): Promise<CrashReport> {
    const o = this.options;
    this.dir = await mkdtemp(join(tmpdir(), 'dom-crash-'));
    process.on('exit', this.killOnExit);
    this.log(`data in ${this.dir}`);

    const first = await this.start('start-1.log');
    const firstReady = this.elapsed();
    this.log(`first start ready at ${first.apiUrl}`);
    let api = new Api(first.apiUrl, first.demoApiKey);
    const startStock = await readStock(api);
    const projectionReady = await waitForProjection(first, startStock);
    this.log(`starting stock: ${startStock.size} location+SKU pairs, projection ${projectionReady ? 'ready' : 'NOT caught up'}`);
    if (o.windowMinutes > 0) {
      await setReleaseWindow(api, o.windowMinutes, o.reoptimiseMinSaving);
      this.log(`release window of ${o.windowMinutes} min on every rule set${o.reoptimiseMinSaving !== undefined ? `, re-optimising from $${o.reoptimiseMinSaving}` : ''}`);
    }

    // Phase 1: orders with `concurrency` in flight; SIGKILL the group once `killAfter` were answered.
    const planned = planOrders(o.orders, o.seed);
    let killed = false;
    let killedAt = 0;
    let answered = 0;
    let inFlight = 0;
    let inFlightAtKill = 0;
    let sentBeforeKill = 0;
    const kill = () => {
      if (killed) return;
      killed = true;
      inFlightAtKill = inFlight;
      this.killGroup();
      killedAt = this.elapsed();
    };
    /**
     * POST /orders as a careful client does: the same key and body each time, again after a 429 or 5xx (after its
     * Retry-After) or a request that got no answer; a 4xx is final. Before the kill, no new attempt once it was sent.
     */
    const place = async (order: PlannedOrder, phase: Attempt['phase'], api: Api): Promise<void> => {
      for (let attempt = 0; attempt < 8; attempt++) {
        if (phase === 'before-kill' && killed) return;
        let retryAfterMs = 0;
        inFlight++;
        try {
          const response = await api.request<{ orderId?: string; detail?: string }>('POST', '/orders', order.body, { 'idempotency-key': order.key });
          const detail = response.status >= 300 ? String(response.body?.detail ?? JSON.stringify(response.body)).slice(0, 300) : undefined;
          order.attempts.push({ phase, status: response.status, ...(detail ? { detail } : {}), endedAfterKill: killed });
          if (response.status === 200 || response.status === 202) {
            order.orderId = response.body.orderId;
            order.answer = { status: response.status, phase };
            answered++;
            return;
          }
          if (response.status !== 429 && response.status < 500) return;
          retryAfterMs = response.retryAfterMs ?? 0;
        } catch (error) {
          order.attempts.push({ phase, error: (error as Error).message, endedAfterKill: killed });
        } finally {
          inFlight--;
        }
        await sleep(Math.max(retryAfterMs, 250 * 2 ** attempt));
      }
    };
    await inParallel(planned, o.concurrency, async (order) => {
      if (killed) return;
      sentBeforeKill++;
      await place(order, 'before-kill', api);
      if (answered >= o.killAfter) kill();
    });
    kill();
    api.close();
    const answeredBeforeKill = answered;
    await this.killAndWait();
    this.log(`SIGKILL after ${answeredBeforeKill} answers, ${inFlightAtKill} in flight, ${o.orders - sentBeforeKill} not sent yet`);

    // Phase 2: the same data directory; resend, same key and body, everything without a 2xx answer.
    const second = await this.start('start-2.log');
    const restartReadyAt = Date.now();
    const restartReady = this.elapsed();
    this.log(`restarted at ${second.apiUrl}`);
    api = new Api(second.apiUrl, second.demoApiKey);
    const toSend = planned.filter((p) => !p.answer);
    await inParallel(toSend, o.concurrency, (order) => place(order, 'after-restart', api));
    const resent = this.elapsed();
    this.log(`resent ${toSend.length} orders`);

    // Settle: every order in an allowed end state, in a snapshot that did not move while it was read.
    const deadline = restartReadyAt + o.settleMs;
    let snapshot: Snapshot;
    let settledAfterRestart: number | null = null;
    let lastProgress = 0;
    for (;;) {
      // The listing is a few requests; the full snapshot (every order, the stock) only once the listing looks settled.
      const listed = await listOrders(api);
      const atDeadline = Date.now() >= deadline;
      if (atDeadline || listed.every((order) => SETTLED_STATUSES.has(order.status))) {
        const snapshotStarted = Date.now();
        snapshot = await takeSnapshot(api, planned);
        if (snapshot.stable && [...snapshot.orders.values()].every((order) => SETTLED_STATUSES.has(order.status))) {
          // Nothing moved from the snapshot's first read to its last, so it was settled when the reading began.
          settledAfterRestart = snapshotStarted - restartReadyAt;
          if (settledAfterRestart > o.settleMs) settledAfterRestart = null;
          break;
        }
        if (atDeadline) break;
      }
      if (Date.now() - lastProgress >= 5_000) {
        lastProgress = Date.now();
        this.log(`waiting: ${describeCounts(countBy(listed, (x) => x.status))}`);
      }
      await sleep(1_000);
    }
    this.log(settledAfterRestart === null ? `NOT settled ${o.settleMs / 1000} s after the restart` : `settled ${(settledAfterRestart / 1000).toFixed(1)} s after the restart`);

    const executions = await listExecutions(second).catch((error: Error) => {
      this.log(`could not list executions: ${error.message}`);
      return [] as ExecutionListItem[];
    });
    const violations = await this.check(planned, snapshot, startStock, executions, second);
    api.close();
    const logLines = readFileSync(join(this.dir, 'start-2.log'), 'utf8')
      .split('\n')
      .filter((line) => /"level":"(WARN|ERROR|CRITICAL)"/i.test(line));
    const answers = countBy(
      planned.filter((p) => p.attempts.length),
      (p) => {
        const last = p.attempts.at(-1)!;
        return `${last.status ?? 'no answer'} ${last.phase}`;
      },
    );
    const report: CrashReport = {
      dir: this.dir,
      seed: o.seed,
      orders: o.orders,
      concurrency: o.concurrency,
      killAfter: o.killAfter,
      settleMs: o.settleMs,
      windowMinutes: o.windowMinutes,
      ...(o.reoptimiseMinSaving !== undefined ? { reoptimiseMinSaving: o.reoptimiseMinSaving } : {}),
      timings: { firstReady, killed: killedAt, restartReady, resent, settledAfterRestart, checked: this.elapsed() },
      requests: { answeredBeforeKill, inFlightAtKill, notSentAtKill: o.orders - sentBeforeKill, resentAfterRestart: toSend.length, answers },
      projectionReady,
      statuses: countBy([...snapshot.orders.values()], (x) => x.status),
      ...(o.reoptimiseMinSaving !== undefined ? { reoptimisedOrders: [...snapshot.orders.values()].filter((x) => (x.reoptimised ?? []).length > 0).length } : {}),
      executions: countBy(executions, (e) => e.status ?? 'UNKNOWN'),
      violations,
      logErrors: { count: logLines.length, first: logLines.slice(0, 10).map((line) => line.slice(0, 600)) },
    };
    // The whole report beside the data and logs, for whoever keeps the directory (--keep, CRASH_TEST_KEEP=1).
    await writeFile(join(this.dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  }

  private async check(planned: PlannedOrder[], snapshot: Snapshot, startStock: Stock, executions: ExecutionListItem[], local: LocalJson): Promise<CrashViolations> {
    const v: CrashViolations = {
      unanswered: [],
      missing: [],
      unsettled: [],
      duplicateKeys: [],
      unknownOrders: [],
      answerMismatch: [],
      onHandChanged: [],
      reservedMismatch: [],
      stockArithmetic: [],
      lineAccounting: [],
    };
    const keys = new Set(planned.map((p) => p.key));

    for (const p of planned) {
      if (!p.answer || !p.orderId) v.unanswered.push({ key: p.key, attempts: p.attempts });
      else if (!snapshot.orders.has(p.orderId)) v.missing.push({ key: p.key, orderId: p.orderId, status: p.answer.status });
    }

    // One order per key: the listing (GET /orders, every page) against the keys sent.
    const byKey = new Map<string, string[]>();
    for (const item of snapshot.listed) {
      const key = item.customer.id;
      if (!key || !keys.has(key)) {
        v.unknownOrders.push({ orderId: item.orderId, ...(key ? { customerId: key } : {}), status: item.status });
        continue;
      }
      byKey.set(key, [...(byKey.get(key) ?? []), item.orderId]);
    }
    for (const [key, orderIds] of byKey) if (orderIds.length > 1) v.duplicateKeys.push({ key, orderIds });
    for (const p of planned) {
      const listed = byKey.get(p.key) ?? [];
      if (p.orderId && (listed.length !== 1 || listed[0] !== p.orderId)) v.answerMismatch.push({ key: p.key, answered: p.orderId, listed });
    }

    // Settled, with the workflow executions of those that are not.
    const executionsByOrder = new Map<string, ExecutionListItem[]>();
    for (const e of executions) {
      const orderId = e.name?.replace(/-\d+$/, '');
      if (orderId) executionsByOrder.set(orderId, [...(executionsByOrder.get(orderId) ?? []), e]);
    }
    const sfn = sfnClient(local);
    for (const p of planned) {
      const order = p.orderId ? snapshot.orders.get(p.orderId) : undefined;
      if (!order || SETTLED_STATUSES.has(order.status)) continue;
      const runs = (executionsByOrder.get(order.orderId) ?? []).sort((a, b) => (a.name! < b.name! ? -1 : 1));
      const summaries: ExecutionSummary[] = [];
      for (const run of runs) summaries.push(await describeExecution(sfn, run, v.unsettled.length < 25));
      v.unsettled.push({
        key: p.key,
        orderId: order.orderId,
        status: order.status,
        cause: causeOf(order, summaries),
        ...(order.statusReason ? { statusReason: order.statusReason.slice(0, 300) } : {}),
        channel: order.channel,
        history: order.history,
        ...(order.routing ? { attempt: order.routing.attempt } : {}),
        executions: summaries,
      });
    }
    sfn.destroy();

    // Stock: nothing shipped, so on-hand is as it was; reserved is exactly what open shipments hold.
    const open = new Map<string, { units: number; shipments: string[] }>();
    for (const order of snapshot.orders.values()) {
      const openByLine = new Map<string, number>();
      for (const shipment of order.shipments ?? []) {
        if (!OPEN_SHIPMENT_STATUSES.has(shipment.status)) continue;
        for (const line of shipment.lines) {
          const pair = `${shipment.locationId}|${line.sku}`;
          const entry = open.get(pair) ?? { units: 0, shipments: [] };
          entry.units += line.quantity;
          entry.shipments.push(`${order.orderId}/${shipment.shipmentId}:${line.quantity}`);
          open.set(pair, entry);
          openByLine.set(line.lineId, (openByLine.get(line.lineId) ?? 0) + line.quantity);
        }
      }
      for (const line of order.lines) {
        const openUnits = openByLine.get(line.lineId) ?? 0;
        const backordered = order.backorderedLines.filter((b) => b.lineId === line.lineId).reduce((n, b) => n + b.quantity, 0);
        const settledOpen = order.status !== 'CANCELLED' && SETTLED_STATUSES.has(order.status);
        const broken = openUnits > line.quantity || (settledOpen && openUnits + backordered !== line.quantity) || (order.status === 'CANCELLED' && openUnits > 0);
        if (broken) v.lineAccounting.push({ orderId: order.orderId, status: order.status, lineId: line.lineId, sku: line.sku, quantity: line.quantity, openShipmentUnits: openUnits, backordered });
      }
    }
    const endStock = snapshot.stock;
    for (const pair of new Set([...startStock.keys(), ...endStock.keys(), ...open.keys()])) {
      const [locationId, sku] = pair.split('|') as [string, string];
      const before = startStock.get(pair);
      const after = endStock.get(pair);
      const onHandBefore = before?.onHand ?? 0;
      const onHandAfter = after?.onHand ?? 0;
      if (onHandBefore !== onHandAfter) v.onHandChanged.push({ locationId, sku, before: onHandBefore, after: onHandAfter });
      const openUnits = open.get(pair)?.units ?? 0;
      const reserved = after?.reserved ?? 0;
      if (reserved !== openUnits) v.reservedMismatch.push({ locationId, sku, reserved, openShipmentUnits: openUnits, shipments: open.get(pair)?.shipments ?? [] });
      if (after) {
        const { onHand, safetyStock, available } = after;
        if (available !== Math.max(0, onHand - reserved - safetyStock) || reserved > Math.max(0, onHand - safetyStock)) {
          v.stockArithmetic.push({ locationId, sku, onHand, reserved, safetyStock, available });
        }
      }
    }
    return v;
  }
}

interface Snapshot {
  /** GET /orders/{id} of every answered order. */
  orders: Map<string, OrderView>;
  /** GET /orders, every page. */
  listed: OrderView[];
  stock: Stock;
  /** No order changed between the first and the last read of the snapshot. */
  stable: boolean;
}

async function listOrders(api: Api): Promise<OrderView[]> {
  const items: OrderView[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.ok<{ items: OrderView[]; nextCursor?: string }>(`/orders?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** The listing, each answered order, the stock, and the listing again: stable when no order moved meanwhile. */
async function takeSnapshot(api: Api, planned: PlannedOrder[]): Promise<Snapshot> {
  const listed = await listOrders(api);
  const orders = new Map<string, OrderView>();
  const ids = new Set([...planned.flatMap((p) => (p.orderId ? [p.orderId] : [])), ...listed.map((o) => o.orderId)]);
  await inParallel([...ids], 8, async (orderId) => {
    const response = await api.get<OrderView>(`/orders/${encodeURIComponent(orderId)}`);
    if (response.status === 200) orders.set(orderId, response.body);
    else if (response.status !== 404) throw new Error(`GET /orders/${orderId} -> ${response.status}: ${JSON.stringify(response.body)}`);
  });
  const stock = await readStock(api);
  const again = await listOrders(api);
  const version = (list: OrderView[]) => new Map(list.map((o) => [o.orderId, `${o.status}@${o.updatedAt}`]));
  const before = version(listed);
  const after = version(again);
  const stable = before.size === after.size && [...after].every(([id, v]) => before.get(id) === v) && [...orders.values()].every((o) => after.get(o.orderId) === `${o.status}@${o.updatedAt}`);
  return { orders, listed: again, stock, stable };
}

/** GET /inventory/{sku} for every demo SKU: onHand, reserved, safetyStock and available at each location. */
async function readStock(api: Api): Promise<Stock> {
  const stock: Stock = new Map();
  await inParallel(ALL_SKUS, 4, async (sku) => {
    const view = await api.ok<{ locations: StockRow[] }>(`/inventory/${sku}`);
    for (const row of view.locations) stock.set(`${row.locationId}|${sku}`, { ...row, sku });
  });
  return stock;
}

const awsCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sfnClient = (local: LocalJson) => new SFNClient({ endpoint: local.endpoints.sfn, region: local.region, credentials: awsCredentials, maxAttempts: 2 });

/**
 * The router reads the stream-built SKU projection, not the stock: wait until every SKU's projection shows what
 * GET /inventory shows, so no order of the run routes against a projection still being built. The key mirrors
 * shared/adapters/dynamodb/inventory-items.ts (`<tenantId>#NETWORK#<sku>` / `NETWORK`), read as any AWS client would.
 */
async function waitForProjection(local: LocalJson, stock: Stock, timeoutMs = 30_000): Promise<boolean> {
  const expected = new Map<string, number>();
  for (const row of stock.values()) expected.set(row.sku, (expected.get(row.sku) ?? 0) + row.available);
  const dynamodb = new DynamoDBClient({ endpoint: local.endpoints.dynamodb, region: local.region, credentials: awsCredentials });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const shown = await Promise.all(
        ALL_SKUS.map(async (sku) => {
          const item = await dynamodb.send(new GetItemCommand({ TableName: local.tableName, Key: { pk: { S: `${local.demoTenantId}#NETWORK#${sku}` }, sk: { S: 'NETWORK' } }, ConsistentRead: true }));
          return Number(item.Item?.available?.N ?? -1) === (expected.get(sku) ?? 0);
        }),
      ).catch(() => [false]);
      if (shown.every(Boolean)) return true;
      await sleep(200);
    }
    return false;
  } finally {
    dynamodb.destroy();
  }
}

async function listExecutions(local: LocalJson): Promise<ExecutionListItem[]> {
  const sfn = sfnClient(local);
  try {
    const all: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: local.stateMachines.orderFulfillment, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
      all.push(...(page.executions ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  } finally {
    sfn.destroy();
  }
}

async function describeExecution(sfn: SFNClient, run: ExecutionListItem, withHistory: boolean): Promise<ExecutionSummary> {
  const summary: ExecutionSummary = {
    name: run.name ?? '?',
    status: run.status ?? '?',
    ...(run.startDate ? { startDate: run.startDate.toISOString() } : {}),
    ...(run.stopDate ? { stopDate: run.stopDate.toISOString() } : {}),
  };
  if (!withHistory || run.status === 'SUCCEEDED') return summary;
  try {
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: run.executionArn, reverseOrder: true, maxResults: 4 }));
    const events = history.events ?? [];
    summary.lastEvents = events.map((e) => {
      const entered = e.stateEnteredEventDetails?.name;
      const failed = e.executionFailedEventDetails;
      return [e.type, entered, failed ? `${failed.error}: ${failed.cause}` : undefined].filter(Boolean).join(' ');
    });
    const failed = events.find((e) => e.executionFailedEventDetails)?.executionFailedEventDetails;
    if (failed?.error) summary.error = failed.error;
    if (failed?.cause) summary.cause = failed.cause.slice(0, 300);
  } catch (error) {
    summary.lastEvents = [`history unavailable: ${(error as Error).message}`];
  }
  return summary;
}

/** Why an order did not settle, in a few words that group alike orders: what the report counts. */
function causeOf(order: OrderView, executions: ExecutionSummary[]): string {
  if (order.status === 'FAILED') {
    const reason = order.statusReason ?? 'no reason';
    // A raw validation dump: its first message says enough to group by.
    const message = /"message":\s*"([^"]+)"/.exec(reason)?.[1];
    return `FAILED: ${reason.split(/[\n:]/)[0]}${message ? `: ${message}` : ''}`.slice(0, 120);
  }
  const last = executions.at(-1);
  if (!last) return `${order.status}, no workflow execution was ever started`;
  const attempt = last.name.slice(order.orderId.length + 1);
  const outcome = last.status === 'RUNNING' ? 'still RUNNING' : `${last.status}${last.cause ? ` (${last.cause.slice(0, 60)})` : ''}`;
  return `${order.status}, its last execution (attempt ${attempt}) ${outcome}, none after it`;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

const describeCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

/** Every violation list's length, and its first few entries: what the script prints for a run. */
export function summariseReport(report: CrashReport, sample = 3): Record<string, unknown> {
  const { violations, ...rest } = report;
  return {
    ...rest,
    passed: Object.values(violations).every((list) => list.length === 0),
    unsettledCauses: countBy(violations.unsettled, (u) => u.cause),
    violations: Object.fromEntries(Object.entries(violations).map(([name, list]) => [name, { count: list.length, first: list.slice(0, sample) }])),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '300' },
      runs: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '24' },
      seed: { type: 'string', default: '13' },
      'settle-seconds': { type: 'string', default: '60' },
      keep: { type: 'boolean', default: false },
      // Issue 17: minutes of release window on the demo tenant's rule sets (0: none).
      window: { type: 'string', default: '0' },
      // Issue 17 step 3: with --window, re-optimise unaccepted shipments that save at least this much (dollars).
      reoptimise: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  let failures = 0;
  for (let run = 1; run <= runs; run++) {
    const crash = new CrashRun({
      orders: Number(values.orders),
      concurrency: Number(values.concurrency),
      seed: Number(values.seed),
      settleMs: Number(values['settle-seconds']) * 1000,
      keep: values.keep,
      windowMinutes: Number(values.window),
      ...(values.reoptimise !== undefined ? { reoptimiseMinSaving: Number(values.reoptimise) } : {}),
      log: (line) => process.stderr.write(`run ${run}/${runs} ${line}\n`),
    });
    try {
      const summary = summariseReport(await crash.execute());
      if (!summary.passed) failures++;
      process.stdout.write(`${JSON.stringify({ run, ...summary })}\n`);
    } catch (error) {
      failures++;
      process.stdout.write(`${JSON.stringify({ run, passed: false, error: String((error as Error).stack ?? error) })}\n`);
    } finally {
      await crash.dispose();
    }
  }
  process.exitCode = failures === 0 ? 0 : 1;
}

if (process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(fileURLToPath(import.meta.url))) await main();

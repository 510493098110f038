/**
 * The embedded local EventBridge: a node:http server speaking EventBridge's JSON 1.1 protocol, so the real
 * `@aws-sdk/client-eventbridge` (pointed at it with AWS_ENDPOINT_URL_EVENTBRIDGE) works unchanged.
 *
 * Rules come from the topology at start; PutEvents accepts events, answers, and then delivers every matching rule's
 * targets asynchronously with retries. A delivery that still fails is handed to `onDeliveryFailure` (the start script
 * sends it to a DLQ), never dropped. With a data directory, an accepted event is journaled until each of its targets
 * has it, and delivered again after a restart.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JsonlJournal } from '../journal/jsonl-journal.ts';
import { InvalidEventPatternError, matchesPattern, validatePattern } from './pattern.ts';

export { matchesPattern, validatePattern } from './pattern.ts';
export { InvalidEventPatternError } from './pattern.ts';

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface LocalRule {
  name: string;
  pattern: Record<string, unknown>;
  targets: Array<{ id: string; deliver(event: EventBridgeEvent): Promise<void> }>;
}

export interface DeliveryFailure {
  rule: string;
  target: string;
  event: EventBridgeEvent;
  error: unknown;
}

export interface LocalEventBridgeOptions {
  port?: number;
  host?: string;
  busName: string;
  region?: string;
  accountId?: string;
  rules: LocalRule[];
  retry?: { attempts: number; baseDelayMs: number };
  onDeliveryFailure?(failure: DeliveryFailure): Promise<void> | void;
  now?: () => Date;
  /**
   * When set, accepted events are journaled to `<dataDir>/eventbridge-pending.jsonl` until every matching target has
   * been invoked successfully (or the failure handed to `onDeliveryFailure`); after a restart the rest is delivered
   * again (see `redeliverPending`).
   */
  dataDir?: string;
  /**
   * Leave the redelivery of journaled events to a call of `redeliverPending()`, e.g. once what the targets call is
   * up. Default false: they are redelivered as soon as the bus listens.
   */
  deferRedelivery?: boolean;
  /** The journal is rewritten once this many bytes (and as many as its last rewrite) were appended. Default 8 MiB. */
  journalCompactMinBytes?: number;
}

export interface RuleStats {
  matched: number;
  delivered: number;
  failed: number;
}

export interface LocalEventBridge {
  endpoint: string;
  busArn: string;
  stats(): Record<string, RuleStats>;
  /** Events PutEvents has accepted since start (what EventBridge bills: one event per 64 KB chunk; ours are smaller). */
  accepted(): number;
  /** Resolves when no delivery is in flight (including deliveries started while waiting). */
  idle(): Promise<void>;
  /** Delivers the events the journal held undelivered at start (once; later calls return 0). Returns how many. */
  redeliverPending(): number;
  close(): Promise<void>;
}

export const EVENTBRIDGE_JOURNAL_FILE = 'eventbridge-pending.jsonl';

/** `put`: an accepted event and the targets (`rule/target`) it must reach; `done`: one of them has it. */
type JournalLine = { op: 'put'; event: EventBridgeEvent; targets: string[] } | { op: 'done'; id: string; target: string };

interface PendingEvent {
  event: EventBridgeEvent;
  remaining: Set<string>;
}

const DEFAULT_BUS = 'default';
const MAX_ENTRIES = 10;
/** AWS's PutEvents limit on the summed entry sizes (Time, Source, DetailType, Detail, Resources). */
const MAX_PUT_EVENTS_BYTES = 256 * 1024;
/** Guards the process against a runaway request; far above anything PutEvents may legally carry. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const TARGET_PREFIX = 'AWSEvents.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** An error answered on the wire as `{ __type, message }`, which the SDK turns into the matching exception class. */
class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

export async function startLocalEventBridge(options: LocalEventBridgeOptions): Promise<LocalEventBridge> {
  const region = options.region ?? 'us-east-1';
  const account = options.accountId ?? '000000000000';
  const busName = options.busName;
  const retry = options.retry ?? { attempts: 3, baseDelayMs: 50 };
  const now = options.now ?? (() => new Date());
  if (busName === '' || busName.includes('/')) throw new Error(`Invalid event bus name "${busName}"`);
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1) throw new Error('retry.attempts must be an integer >= 1');
  if (!(retry.baseDelayMs >= 0)) throw new Error('retry.baseDelayMs must be >= 0');

  const rules = checkRules(options.rules);
  const busArn = eventBusArn(region, account, busName);
  let acceptedEvents = 0;
  const counters = new Map<string, RuleStats>(rules.map((rule) => [rule.name, { matched: 0, delivered: 0, failed: 0 }]));
  const inFlight = new Set<Promise<void>>();
  const targetKey = (rule: LocalRule, target: LocalRule['targets'][number]) => `${rule.name}/${target.id}`;
  const pending = new Map<string, PendingEvent>();
  const journal = options.dataDir
    ? new JsonlJournal(join(options.dataDir, EVENTBRIDGE_JOURNAL_FILE), {
        label: 'local-eventbridge',
        ...(options.journalCompactMinBytes !== undefined ? { compactMinBytes: options.journalCompactMinBytes } : {}),
        snapshot: function* () {
          for (const { event, remaining } of pending.values()) yield { op: 'put', event, targets: [...remaining] } satisfies JournalLine;
        },
      })
    : undefined;
  let recovered: PendingEvent[] = [];
  if (journal) {
    journal.replay((raw) => {
      const line = raw as JournalLine;
      if (line.op === 'put') pending.set(line.event.id, { event: line.event, remaining: new Set(line.targets) });
      else if (line.op === 'done') settleIn(line.id, line.target);
    });
    journal.rewrite();
    recovered = [...pending.values()];
  }

  function settleIn(id: string, target: string): boolean {
    const entry = pending.get(id);
    if (!entry || !entry.remaining.delete(target)) return false;
    if (entry.remaining.size === 0) pending.delete(id);
    return true;
  }

  /** The target has the event (or its failure was handed off): it is not delivered again after a restart. */
  function settle(event: EventBridgeEvent, key: string): void {
    // Buffered: losing it to a kill means one more delivery, which at-least-once allows.
    if (settleIn(event.id, key)) journal?.append({ op: 'done', id: event.id, target: key } satisfies JournalLine);
  }

  const busNames = busName === DEFAULT_BUS ? [DEFAULT_BUS] : [DEFAULT_BUS, busName];

  /** Accepts a bus name or ARN; undefined means the default bus, as on AWS. */
  function resolveBus(nameOrArn: unknown): string | undefined {
    if (nameOrArn === undefined || nameOrArn === null || nameOrArn === '') return DEFAULT_BUS;
    if (typeof nameOrArn !== 'string') return undefined;
    const arn = /^arn:aws[\w-]*:events:([^:]+):(\d{12}):event-bus\/(.+)$/.exec(nameOrArn);
    const name = arn === null ? nameOrArn : arn[1] === region && arn[2] === account ? arn[3] : undefined;
    return name !== undefined && busNames.includes(name) ? name : undefined;
  }

  function rulesOn(bus: string): LocalRule[] {
    return bus === busName ? rules : [];
  }

  function ruleArn(bus: string, rule: string): string {
    return bus === DEFAULT_BUS
      ? `arn:aws:events:${region}:${account}:rule/${rule}`
      : `arn:aws:events:${region}:${account}:rule/${bus}/${rule}`;
  }

  function describe(bus: string, rule: LocalRule): Body {
    return {
      Name: rule.name,
      Arn: ruleArn(bus, rule.name),
      EventPattern: JSON.stringify(rule.pattern),
      State: 'ENABLED',
      EventBusName: bus,
      CreatedBy: account,
    };
  }

  function track(delivery: Promise<void>): void {
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  }

  async function deliver(rule: LocalRule, target: LocalRule['targets'][number], event: EventBridgeEvent): Promise<void> {
    const stats = counters.get(rule.name) as RuleStats;
    let lastError: unknown;
    for (let attempt = 1; attempt <= retry.attempts; attempt += 1) {
      try {
        // Each target gets its own copy, so one consumer mutating the event cannot change what another receives.
        await target.deliver(structuredClone(event));
        stats.delivered += 1;
        settle(event, targetKey(rule, target));
        return;
      } catch (error) {
        lastError = error;
        if (attempt < retry.attempts) await sleep(retry.baseDelayMs * 2 ** (attempt - 1));
      }
    }
    stats.failed += 1;
    const failure: DeliveryFailure = { rule: rule.name, target: target.id, event, error: lastError };
    try {
      if (options.onDeliveryFailure === undefined) throw new Error('no onDeliveryFailure handler is configured');
      await options.onDeliveryFailure(failure);
      settle(event, targetKey(rule, target));
    } catch (handlerError) {
      // Last resort: the event is written out in full so it can be replayed by hand (and, with a journal, it stays
      // there to be delivered again at the next start).
      console.error(
        `[local-eventbridge] undeliverable event for rule "${rule.name}" target "${target.id}"`,
        JSON.stringify({ event, error: String(lastError), handlerError: String(handlerError) }),
      );
    }
  }

  /** One task per rule per PutEvents call: events reach the rule's targets in the order they were put. */
  function scheduleDeliveries(events: EventBridgeEvent[], bus: string): void {
    acceptedEvents += events.length;
    const matchedByRule = rulesOn(bus).map((rule) => ({ rule, matched: events.filter((event) => matchesPattern(rule.pattern, event)) }));
    if (journal) {
      for (const event of events) {
        const targets = matchedByRule.filter(({ matched }) => matched.includes(event)).flatMap(({ rule }) => rule.targets.map((t) => targetKey(rule, t)));
        if (targets.length === 0) continue;
        pending.set(event.id, { event, remaining: new Set(targets) });
        journal.append({ op: 'put', event, targets } satisfies JournalLine);
      }
      // Accepted means journaled: PutEvents answers after this.
      journal.flush();
    }
    for (const { rule, matched } of matchedByRule) {
      if (matched.length === 0) continue;
      (counters.get(rule.name) as RuleStats).matched += matched.length;
      deliverInOrder(rule, matched.map((event) => ({ event, targets: rule.targets })));
    }
  }

  function deliverInOrder(rule: LocalRule, deliveries: Array<{ event: EventBridgeEvent; targets: LocalRule['targets'] }>): void {
    track(
      (async () => {
        // Let PutEvents answer first: on AWS, delivery is asynchronous to the call that put the event.
        await new Promise<void>((resolve) => setImmediate(resolve));
        for (const { event, targets } of deliveries) {
          await Promise.all(targets.map((target) => deliver(rule, target, event)));
        }
      })(),
    );
  }

  function redeliverPending(): number {
    const events = recovered.filter((entry) => pending.get(entry.event.id) === entry);
    recovered = [];
    const known = new Set(rules.flatMap((rule) => rule.targets.map((target) => targetKey(rule, target))));
    for (const entry of events) {
      for (const key of [...entry.remaining].filter((k) => !known.has(k))) {
        console.warn(`[local-eventbridge] event ${entry.event.id} was pending for target "${key}", which is no longer configured; dropped`);
        settle(entry.event, key);
      }
    }
    for (const rule of rules) {
      const deliveries = events
        .map(({ event, remaining }) => ({ event, targets: rule.targets.filter((target) => remaining.has(targetKey(rule, target))) }))
        .filter(({ targets }) => targets.length > 0);
      if (deliveries.length > 0) deliverInOrder(rule, deliveries);
    }
    return events.filter((entry) => pending.get(entry.event.id) === entry).length;
  }

  function putEvents(body: Body): Body {
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length === 0) {
      throw validation(`Value ${entries === undefined ? 'null' : 'of size 0'} at 'entries' failed to satisfy constraint: ${entries === undefined ? 'Member must not be null' : 'Member must have length greater than or equal to 1'}`);
    }
    if (entries.length > MAX_ENTRIES) {
      throw validation(`Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`);
    }
    const size = entries.reduce<number>((total, entry) => total + entrySize(entry), 0);
    if (size > MAX_PUT_EVENTS_BYTES) {
      throw new ServiceError('ValidationException', 'Total size of the entries in the request is over the limit.');
    }

    const results: Body[] = [];
    const accepted = new Map<string, EventBridgeEvent[]>();
    for (const entry of entries as unknown[]) {
      const outcome = toEvent(entry);
      if ('ErrorCode' in outcome) {
        results.push(outcome);
        continue;
      }
      const list = accepted.get(outcome.bus) ?? [];
      list.push(outcome.event);
      accepted.set(outcome.bus, list);
      results.push({ EventId: outcome.event.id });
    }
    for (const [bus, events] of accepted) scheduleDeliveries(events, bus);
    return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
  }

  function toEvent(raw: unknown): { ErrorCode: string; ErrorMessage: string } | { bus: string; event: EventBridgeEvent } {
    const entry: Body = isObject(raw) ? raw : {};
    const invalid = (name: string, reason: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${name} is not valid. Reason: ${reason}`,
    });
    if (typeof entry.Source !== 'string' || entry.Source === '') return invalid('Source', 'Source is a required argument.');
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '') {
      return invalid('DetailType', 'DetailType is a required argument.');
    }
    if (typeof entry.Detail !== 'string' || entry.Detail === '') return invalid('Detail', 'Detail is a required argument.');
    const resources = entry.Resources ?? [];
    if (!Array.isArray(resources) || !resources.every((resource) => typeof resource === 'string')) {
      return invalid('Resources', 'Resources must be a list of strings.');
    }
    const bus = resolveBus(entry.EventBusName);
    if (bus === undefined) {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${String(entry.EventBusName)} does not exist.` };
    }
    if (entry.Source.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (!isObject(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    const time = entryTime(entry.Time);
    if (time === undefined) return invalid('Time', 'Time is not a valid timestamp.');
    return {
      bus,
      event: {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account,
        time: formatTime(time),
        region,
        resources: resources as string[],
        detail,
      },
    };
  }

  /** The SDK sends Time as epoch seconds; other clients may send an ISO string. Absent means "now". */
  function entryTime(value: unknown): Date | undefined {
    if (value === undefined || value === null) return now();
    const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : undefined;
    return date !== undefined && !Number.isNaN(date.getTime()) ? date : undefined;
  }

  function testEventPattern(body: Body): Body {
    if (typeof body.EventPattern !== 'string') throw validation("Value null at 'eventPattern' failed to satisfy constraint: Member must not be null");
    if (typeof body.Event !== 'string') throw validation("Value null at 'event' failed to satisfy constraint: Member must not be null");
    let pattern: unknown;
    try {
      pattern = JSON.parse(body.EventPattern);
    } catch (error) {
      throw new ServiceError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${(error as Error).message}`);
    }
    validatePattern(pattern);
    let event: unknown;
    try {
      event = JSON.parse(body.Event);
    } catch {
      event = undefined;
    }
    if (!isObject(event)) throw new ServiceError('ValidationException', 'Parameter Event is not valid. Reason: Event is not a JSON object.');
    for (const field of ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type']) {
      if (!(field in event)) {
        throw new ServiceError('ValidationException', `Parameter Event is not valid. Reason: Provided Json must contain the field '${field}'.`);
      }
    }
    return { Result: matchesPattern(pattern as Record<string, unknown>, event) };
  }

  function requireBus(nameOrArn: unknown): string {
    const bus = resolveBus(nameOrArn);
    if (bus === undefined) throw new ServiceError('ResourceNotFoundException', `Event bus ${String(nameOrArn)} does not exist.`);
    return bus;
  }

  function listRules(body: Body): Body {
    const bus = requireBus(body.EventBusName);
    const prefix = typeof body.NamePrefix === 'string' ? body.NamePrefix : '';
    const all = rulesOn(bus).filter((rule) => rule.name.startsWith(prefix));
    const { page, next } = paginate(all, body.Limit, body.NextToken);
    return { Rules: page.map((rule) => describe(bus, rule)), ...(next === undefined ? {} : { NextToken: next }) };
  }

  function describeRule(body: Body): Body {
    const bus = requireBus(body.EventBusName);
    const rule = rulesOn(bus).find((candidate) => candidate.name === body.Name);
    if (rule === undefined) {
      throw new ServiceError('ResourceNotFoundException', `Rule ${String(body.Name)} does not exist on EventBus ${bus}.`);
    }
    return describe(bus, rule);
  }

  function listEventBuses(body: Body): Body {
    const prefix = typeof body.NamePrefix === 'string' ? body.NamePrefix : '';
    const all = busNames.filter((name) => name.startsWith(prefix));
    const { page, next } = paginate(all, body.Limit, body.NextToken);
    return {
      EventBuses: page.map((name) => ({ Name: name, Arn: eventBusArn(region, account, name) })),
      ...(next === undefined ? {} : { NextToken: next }),
    };
  }

  function describeEventBus(body: Body): Body {
    const bus = requireBus(body.Name);
    return { Name: bus, Arn: eventBusArn(region, account, bus) };
  }

  const operations: Record<string, (body: Body) => Body> = {
    PutEvents: putEvents,
    TestEventPattern: testEventPattern,
    ListRules: listRules,
    DescribeRule: describeRule,
    ListEventBuses: listEventBuses,
    DescribeEventBus: describeEventBus,
  };
  /** Mutations of the routing table are refused: the topology is the one source of rules, locally as on AWS. */
  const topologyOwned = new Set([
    'PutRule',
    'DeleteRule',
    'EnableRule',
    'DisableRule',
    'PutTargets',
    'RemoveTargets',
    'CreateEventBus',
    'DeleteEventBus',
  ]);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    try {
      const target = headerValue(request.headers['x-amz-target']);
      if (request.method !== 'POST' || target === undefined || !target.startsWith(TARGET_PREFIX)) {
        throw new ServiceError('UnknownOperationException', `Unsupported request: ${request.method ?? ''} ${target ?? '(no X-Amz-Target)'}`);
      }
      const operation = target.slice(TARGET_PREFIX.length);
      const raw = await readBody(request);
      let body: unknown;
      try {
        body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
      } catch {
        throw new ServiceError('SerializationException', 'The request body is not valid JSON.');
      }
      if (!isObject(body)) throw new ServiceError('SerializationException', 'The request body must be a JSON object.');
      const run = operations[operation];
      if (run === undefined) {
        if (topologyOwned.has(operation)) {
          throw new ServiceError(
            'OperationDisabledException',
            `${operation} is not supported by the local EventBridge: rules and targets come from infra/topology.ts and are loaded at start.`,
          );
        }
        throw new ServiceError('UnknownOperationException', `Operation ${operation} is not implemented by the local EventBridge.`);
      }
      send(response, 200, requestId, run(body));
    } catch (error) {
      const failure =
        error instanceof ServiceError
          ? error
          : error instanceof InvalidEventPatternError
            ? new ServiceError(error.code, error.message)
            : new ServiceError('InternalException', error instanceof Error ? error.message : String(error), 500);
      response.setHeader('x-amzn-ErrorType', failure.type);
      send(response, failure.status, requestId, { __type: failure.type, message: failure.message });
    }
  }

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  async function idle(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  if (!options.deferRedelivery) redeliverPending();
  return {
    endpoint: `http://${host}:${address.port}`,
    busArn,
    stats: () => Object.fromEntries([...counters].map(([name, stats]) => [name, { ...stats }])),
    accepted: () => acceptedEvents,
    idle,
    redeliverPending,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      // Events already accepted are still delivered (or handed to onDeliveryFailure) before close resolves.
      await idle();
      journal?.close();
    },
  };
}

function checkRules(rules: LocalRule[]): LocalRule[] {
  const names = new Set<string>();
  for (const rule of rules) {
    if (!/^[\.\-_A-Za-z0-9]{1,64}$/.test(rule.name)) throw new Error(`Invalid rule name "${rule.name}"`);
    if (names.has(rule.name)) throw new Error(`Duplicate rule name "${rule.name}"`);
    names.add(rule.name);
    try {
      validatePattern(rule.pattern);
    } catch (error) {
      throw new Error(`Rule "${rule.name}": ${(error as Error).message}`, { cause: error });
    }
    const targetIds = new Set<string>();
    for (const target of rule.targets) {
      if (targetIds.has(target.id)) throw new Error(`Rule "${rule.name}" has two targets with id "${target.id}"`);
      targetIds.add(target.id);
    }
  }
  return [...rules];
}

function eventBusArn(region: string, account: string, name: string): string {
  return `arn:aws:events:${region}:${account}:event-bus/${name}`;
}

/** AWS's size rule for one entry: 14 bytes for Time, plus the UTF-8 bytes of Source, DetailType, Detail, Resources. */
function entrySize(entry: unknown): number {
  if (!isObject(entry)) return 0;
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources.reduce<number>((total, resource) => total + bytes(resource), 0)
  );
}

/** EventBridge's envelope time has second precision: `2017-10-02T18:43:48Z`. */
function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function paginate<T>(items: T[], limit: unknown, token: unknown): { page: T[]; next?: string } {
  const start = typeof token === 'string' && /^\d+$/.test(token) ? Number(token) : 0;
  const size = typeof limit === 'number' && limit > 0 ? Math.min(limit, 100) : 100;
  const page = items.slice(start, start + size);
  return start + size < items.length ? { page, next: String(start + size) } : { page };
}

function validation(detail: string): ServiceError {
  return new ServiceError('ValidationException', `1 validation error detected: ${detail}`);
}

function send(response: ServerResponse, status: number, requestId: string, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-RequestId': requestId,
  });
  response.end(payload);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    length += buffer.length;
    if (length > MAX_BODY_BYTES) throw new ServiceError('ValidationException', 'Request body is too large.', 413);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

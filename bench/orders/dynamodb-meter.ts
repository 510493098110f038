// Counts the DynamoDB calls the handlers make, and estimates the on-demand request units they would bill, with a
// middleware added at run time to the one raw DynamoDB client the adapters share (no product code changes). The local
// table cannot report consumed capacity for transactions, so units are estimated from item sizes:
//   write: ceil(item KB) per item written (Put: the item; Update/Delete/ConditionCheck: 1, assuming items < 1 KB
//          where we do not see the whole item), x2 inside TransactWriteItems;
//          a PartiQL INSERT is billed as a put of its item, an UPDATE (which bills the larger of the item before and
//          after) at the size the meter last saw the item written or read with, 1 KB when it never saw it;
//   read:  ceil(bytes / 4 KB) per item returned (per Query: over the summed size), x0.5 if eventually consistent,
//          x2 inside TransactGetItems; a read returning nothing still costs 0.5/1.
// Sizes are DynamoDB's own count (attribute names + values, binaries by their bytes: shared/adapters/dynamodb/item-size.ts).
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { itemSize } from '../../shared/adapters/dynamodb/item-size.ts';
import { topology } from '../../infra/topology.ts';

export interface DynamoMeter {
  calls: Map<string, number>;
  wru: number;
  rru: number;
  /** Write units by command and kind of item (its `entity`, or its key's shape), for `--meter-detail`. */
  detail: Map<string, { items: number; wru: number }>;
  /** Calls and units by the Lambda function that made them (`(none)`: outside any invocation). */
  byFunction: Map<string, FunctionUsage>;
  reset(): void;
}

export interface FunctionUsage {
  calls: number;
  /** Calls by command. */
  commands: Record<string, number>;
  wru: number;
  rru: number;
}

/** Function ids by the directory of their handler (`functions/place-order` -> `placeOrder`). */
const functionByDir = new Map(Object.entries(topology.functions).map(([id, spec]) => [/^(functions\/[^/]+)\//.exec(spec.entry)?.[1] ?? spec.entry, id]));
const HANDLER_FRAME = /\/(functions\/[^/\n]+)\/handler\.[cm]?[jt]s/;

/**
 * The function whose handler made the call running now, read from the call's (async) stack: the meter runs first in
 * the SDK's middleware, synchronously inside the caller's `send`, so the handler's frame is on it. Not an
 * AsyncLocalStorage: on Node 20 one turns on promise hooks for every promise of the thread, which cost the bench ~7 %
 * of the CPU it measures. `(none)`: outside any handler (the local cloud's own calls).
 */
export function callingFunction(): string {
  const { stackTraceLimit, prepareStackTrace } = Error;
  Error.stackTraceLimit = 80;
  // The raw call sites' file names, not a formatted trace (formatting, with source maps on, costs ~5x more).
  Error.prepareStackTrace = (_error, sites) => sites.map((site) => site.getFileName() ?? '').join('\n');
  try {
    return functionOfStack(String(new Error().stack ?? ''));
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    Error.prepareStackTrace = prepareStackTrace;
  }
}

/** The function of the innermost handler frame of a stack trace, or `(none)`. */
export function functionOfStack(stack: string): string {
  const dir = HANDLER_FRAME.exec(stack)?.[1];
  return (dir && functionByDir.get(dir)) ?? '(none)';
}

/** A written item's kind: its entity attribute, else its key with the tenant and ids dropped (`STOCK/SHARD`). */
function kindOf(item: Record<string, unknown> | undefined): string {
  if (!item) return '?';
  if (typeof item.entity === 'string') return item.entity;
  const pk = String(item.pk ?? '').split('#');
  const sk = String(item.sk ?? '').split('#');
  return `${pk[1] ?? pk[0]}/${sk[0]}`;
}
const plain = (wire: unknown) => (wire ? unmarshall(wire as Record<string, AttributeValue>) : undefined);
const detailOf = (meter: DynamoMeter, key: string, wru: number) => {
  const entry = meter.detail.get(key) ?? meter.detail.set(key, { items: 0, wru: 0 }).get(key)!;
  entry.items++;
  entry.wru += wru;
};

/** Each item a write command touches: [kind, write units], summing to writeUnits(command, input). */
export function writtenItems(command: string, input: Input): Array<[string, number]> {
  const short = command.replace(/Command$/, '').replace('TransactWriteItems', 'TransactWrite').replace('Item', '');
  switch (command) {
    case 'PutCommand':
    case 'PutItemCommand':
      return [[`${short} ${kindOf(plain(input.Item))}`, kb(size(input.Item))]];
    case 'UpdateCommand':
    case 'UpdateItemCommand':
    case 'DeleteCommand':
    case 'DeleteItemCommand':
      return [[`${short} ${kindOf(plain(input.Key))}`, 1]];
    case 'TransactWriteCommand':
    case 'TransactWriteItemsCommand':
      return (input.TransactItems ?? []).map((t: any) => {
        const [op, body] = Object.entries(t)[0] as [string, any];
        const item = plain(body.Item ?? body.Key);
        return [`${short} ${op} ${kindOf(item)}`, 2 * (t.Put ? kb(size(t.Put.Item)) : 1)] as [string, number];
      });
    default: {
      const units = writeUnits(command, input);
      return units ? [[short, units]] : [];
    }
  }
}

// Items travel in attribute-value form here, as DynamoDB sizes them. (Their JSON length, used before, counted a deflated
// binary attribute as a JSON object of byte indexes: ten times its size.)
const size = (value: unknown) => (value === undefined ? 0 : itemSize(value as Record<string, AttributeValue>));
const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const fourKb = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));

type Input = Record<string, any>;

/** The last size seen of each item (`pk|sk`), for the UPDATE statements that name an item without showing it. */
const knownSizes = new Map<string, number>();
const itemKey = (item: Record<string, unknown>) => `${String(item.pk)}|${String(item.sk)}`;
const remember = (wireItem: unknown) => {
  if (!wireItem) return;
  const item = unmarshall(wireItem as Record<string, AttributeValue>);
  knownSizes.set(itemKey(item), itemSize(wireItem as Record<string, AttributeValue>));
};

/** The item an UPDATE statement names: the parameters its WHERE clause binds to "pk" and "sk". */
function statementTarget(statement: string, parameters: unknown[]): string | undefined {
  const where = statement.indexOf(' WHERE ');
  if (where < 0) return undefined;
  const before = statement.slice(0, where).split('?').length - 1;
  const bound = [...statement.slice(where).matchAll(/"?(\w+)"?\s*=\s*\?/g)].map((m) => m[1]);
  const value = (name: string) => {
    const at = bound.indexOf(name);
    return at < 0 ? undefined : unmarshall({ v: parameters[before + at] as AttributeValue }).v;
  };
  return `${String(value('pk'))}|${String(value('sk'))}`;
}

function statementUnits(statement: string, parameters: unknown[] = []): number {
  if (/^\s*INSERT/i.test(statement)) {
    const names = [...statement.matchAll(/'([^']+)'\s*:\s*\?/g)].map((m) => m[1]!);
    const item = Object.fromEntries(names.map((name, i) => [name, parameters[i]]));
    remember(item);
    return kb(size(item));
  }
  if (/^\s*(UPDATE|DELETE)/i.test(statement)) {
    const target = statementTarget(statement, parameters);
    return kb(target ? (knownSizes.get(target) ?? 1024) : 1024);
  }
  return 0;
}

export function writeUnits(command: string, input: Input): number {
  switch (command) {
    case 'BatchExecuteStatementCommand':
      return (input.Statements ?? []).reduce((n: number, s: any) => n + statementUnits(s.Statement, s.Parameters), 0);
    case 'ExecuteStatementCommand':
      return statementUnits(input.Statement, input.Parameters);
    case 'PutCommand':
    case 'PutItemCommand':
      return kb(size(input.Item));
    case 'UpdateCommand':
    case 'UpdateItemCommand':
    case 'DeleteCommand':
    case 'DeleteItemCommand':
      return 1;
    case 'BatchWriteCommand':
    case 'BatchWriteItemCommand':
      return Object.values(input.RequestItems ?? {}).flat().reduce((n: number, r: any) => n + (r.PutRequest ? kb(size(r.PutRequest.Item)) : 1), 0);
    case 'TransactWriteCommand':
    case 'TransactWriteItemsCommand':
      return (input.TransactItems ?? []).reduce((n: number, t: any) => n + 2 * (t.Put ? kb(size(t.Put.Item)) : 1), 0);
    default:
      return 0;
  }
}

function readUnits(command: string, input: Input, output: Input): number {
  const factor = input.ConsistentRead ? 1 : 0.5;
  switch (command) {
    case 'GetCommand':
    case 'GetItemCommand':
      return fourKb(size(output.Item)) * factor;
    case 'QueryCommand':
    case 'ScanCommand':
      return fourKb((output.Items ?? []).reduce((n: number, i: unknown) => n + size(i), 0)) * factor;
    case 'BatchGetCommand':
    case 'BatchGetItemCommand':
      for (const items of Object.values(output.Responses ?? {})) for (const item of items as unknown[]) remember(item);
      return Object.entries(output.Responses ?? {}).reduce((n, [table, items]) => {
        const consistent = input.RequestItems?.[table]?.ConsistentRead ? 1 : 0.5;
        return n + (items as unknown[]).reduce((m: number, i) => m + fourKb(size(i)) * consistent, 0);
      }, 0);
    case 'TransactGetCommand':
    case 'TransactGetItemsCommand':
      return (output.Responses ?? []).reduce((n: number, r: any) => n + 2 * fourKb(size(r?.Item)), 0);
    default:
      return 0;
  }
}

export function meterDynamoDb(client: DynamoDBClient): DynamoMeter {
  const meter: DynamoMeter = {
    calls: new Map(),
    wru: 0,
    rru: 0,
    detail: new Map(),
    byFunction: new Map(),
    reset() {
      this.calls.clear();
      this.detail.clear();
      this.byFunction.clear();
      this.wru = 0;
      this.rru = 0;
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? 'unknown');
      const input = args.input as Input;
      meter.calls.set(command, (meter.calls.get(command) ?? 0) + 1);
      const fn = callingFunction();
      const usage = meter.byFunction.get(fn) ?? meter.byFunction.set(fn, { calls: 0, commands: {}, wru: 0, rru: 0 }).get(fn)!;
      usage.calls++;
      usage.commands[command] = (usage.commands[command] ?? 0) + 1;
      try {
        const result = await next(args);
        const wru = writeUnits(command, input);
        const rru = readUnits(command, input, result.output as Input);
        meter.wru += wru;
        meter.rru += rru;
        usage.wru += wru;
        usage.rru += rru;
        for (const [key, units] of writtenItems(command, input)) detailOf(meter, key, units);
        return result;
      } catch (error) {
        // A failed condition still consumes the write; a cancelled transaction is billed as well.
        const wru = writeUnits(command, input);
        meter.wru += wru;
        usage.wru += wru;
        for (const [key, units] of writtenItems(command, input)) detailOf(meter, `${key} (failed)`, units);
        throw error;
      }
    },
    { step: 'initialize', name: 'benchDynamoMeter', priority: 'high' },
  );
  // The client caches each command's middleware chain (cacheMiddleware): drop the chains built before the meter.
  delete (client as unknown as { handlers?: unknown }).handlers;
  return meter;
}

// Typed access to the dynalite internals we reuse in-process (validations, actions, condition logic); the store they
// run against is ours (store.ts).
// dynalite is CommonJS without an exports map, so its files are reachable with createRequire.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A DynamoDB AttributeValue as it travels in the JSON protocol ({ S: 'x' }, { N: '1' }, { M: {...} }, ...). */
export type AttributeValue = Record<string, unknown>;
export type Item = Record<string, AttributeValue>;

export interface KeySchemaElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}

export interface TableDescription {
  TableName: string;
  TableStatus: string;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
  [key: string]: unknown;
}

/** The error shape dynalite's actions and validations produce (and that we produce ourselves). */
export interface ApiError extends Error {
  statusCode?: number;
  body?: { __type: string; message?: string; Message?: string; [key: string]: unknown };
}

export type Callback<T> = (err?: ApiError | null, result?: T) => void;
/** dynalite actions take the request after validation; parsed expressions ride along as `_condition`, `_updates`. */
export type Request = Record<string, unknown>;
export type Action = (store: StoreLike, data: Request, cb: Callback<Record<string, unknown>>) => void;

type Release = <F extends (...args: never[]) => unknown>(done: F) => F;
export type LockFn = (key: string | string[], exec: (release: Release) => void) => void;

export interface SubDb {
  lock: LockFn;
  get(key: string, cb: Callback<unknown>): void;
  put(key: string, value: unknown, cb: Callback<void>): void;
  del(key: string, cb: Callback<void>): void;
  createValueStream(options?: Record<string, unknown>): NodeJS.ReadableStream;
}

export interface StoreOptions {
  createTableMs?: number;
  updateTableMs?: number;
  deleteTableMs?: number;
  maxItemSize?: number;
  maxItemSizeKb?: number;
}

/** What dynalite's action functions use of a store; our staging store implements exactly this. */
export interface StoreLike {
  options: StoreOptions & { maxItemSize: number };
  tableDb: SubDb & { awsAccountId: string; awsRegion: string };
  getTable(name: string, checkStatus: boolean | Callback<TableDescription>, cb?: Callback<TableDescription>): void;
  getItemDb(name: string): SubDb;
  getIndexDb(indexType: string, tableName: string, indexName: string): SubDb;
  [key: string]: unknown;
}

export interface ActionValidation {
  types: Record<string, unknown>;
  custom?: (data: Request, store: StoreLike) => string | undefined;
}

interface DbModule {
  createKey(item: Item, table: TableDescription, keySchema?: KeySchemaElement[]): string;
  validateKey(key: Item, table: TableDescription): ApiError | undefined | null;
  validateItem(item: Item, table: TableDescription): ApiError | undefined | null;
  checkConditional(data: Request, existingItem: Item | undefined): ApiError | null | undefined;
  validationError(message: string): ApiError;
  itemSize(item: Item): number;
  mapPaths(paths: unknown[], item: Item): Item;
  traverseKey(table: TableDescription, visit: (attr: string, type: string, isHash: boolean) => unknown): unknown;
}

interface ValidationsModule {
  validateExpressions(data: Request): string | undefined;
  checkTypes(data: Request, types: Record<string, unknown>): Request;
  checkValidations(
    data: Request,
    types: Record<string, unknown>,
    custom: ActionValidation['custom'],
    store: StoreLike,
  ): void;
}

export const dynaliteDb = require('dynalite/db') as DbModule;
export const dynaliteValidations = require('dynalite/validations') as ValidationsModule;

export const OPERATIONS = [
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'GetItem',
  'ListTables',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'UpdateItem',
  'UpdateTable',
] as const;
export type DynaliteOperation = (typeof OPERATIONS)[number];

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

export const actions = Object.fromEntries(
  OPERATIONS.map((op) => [op, require(`dynalite/actions/${lowerFirst(op)}`) as Action]),
) as Record<DynaliteOperation, Action>;

export const actionValidations = Object.fromEntries(
  OPERATIONS.map((op) => [op, require(`dynalite/validations/${lowerFirst(op)}`) as ActionValidation]),
) as Record<DynaliteOperation, ActionValidation>;

// Parsing condition and update expressions with dynalite's PEG parsers is the largest cost of a write (~50-100 µs),
// and hot paths repeat the same expressions with the same values (`SET available = available - :one`). For item
// writes only, remember successful parses by their exact inputs. dynalite's custom validators call
// `validations.validateExpressions` through the module object, which is what makes this hook possible.
// updateItem assigns `section.val` while applying an update, so each hit gets fresh section objects.
const MEMO_LIMIT = 2000;
const MEMO_KEY_LIMIT = 1024;
const originalValidateExpressions = dynaliteValidations.validateExpressions;
const parsedExpressions = new Map<string, { updates?: ParsedUpdates; condition?: unknown }>();
let memoizeExpressions = false;

interface ParsedUpdates {
  sections: Record<string, unknown>[];
  [key: string]: unknown;
}

const cloneUpdates = (updates: ParsedUpdates): ParsedUpdates => ({
  ...updates,
  sections: updates.sections.map((section) => ({ ...section })),
});

dynaliteValidations.validateExpressions = (data: Request): string | undefined => {
  if (!memoizeExpressions || data.ProjectionExpression != null) return originalValidateExpressions(data);
  const key = JSON.stringify([
    data.UpdateExpression,
    data.ConditionExpression,
    data.ExpressionAttributeNames,
    data.ExpressionAttributeValues,
  ]);
  // Writes that carry whole documents in their values (an order's lines) do not repeat: remembering them would only
  // hold their text.
  if (key.length > MEMO_KEY_LIMIT) return originalValidateExpressions(data);
  const hit = parsedExpressions.get(key);
  if (hit) {
    if (hit.updates) data._updates = cloneUpdates(hit.updates);
    if (hit.condition) data._condition = hit.condition;
    return undefined;
  }
  const message = originalValidateExpressions(data);
  if (message) return message;
  if (parsedExpressions.size >= MEMO_LIMIT) parsedExpressions.clear();
  parsedExpressions.set(key, {
    ...(data._updates ? { updates: cloneUpdates(data._updates as ParsedUpdates) } : {}),
    ...(data._condition ? { condition: data._condition } : {}),
  });
  return undefined;
};

const ITEM_WRITES = new Set<DynaliteOperation>(['PutItem', 'UpdateItem', 'DeleteItem']);

/** Runs dynalite's type coercion and validation for one action; throws an ApiError on failure. */
export function validateRequest(op: DynaliteOperation, data: Request, store: StoreLike): Request {
  const validation = actionValidations[op];
  const checked = dynaliteValidations.checkTypes(data, validation.types);
  memoizeExpressions = ITEM_WRITES.has(op);
  try {
    dynaliteValidations.checkValidations(checked, validation.types, validation.custom, store);
  } finally {
    memoizeExpressions = false;
  }
  return checked;
}

export function runAction(op: DynaliteOperation, store: StoreLike, data: Request): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    actions[op](store, data, (err, result) => (err ? reject(err) : resolve(result ?? {})));
  });
}

export function isApiError(err: unknown): err is ApiError & { statusCode: number; body: NonNullable<ApiError['body']> } {
  return err instanceof Error && typeof (err as ApiError).statusCode === 'number' && (err as ApiError).body != null;
}

// Typed access to the dynalite internals we reuse in-process (validations, actions, condition logic); the store they
// run against is ours (store.ts).
// dynalite is CommonJS without an exports map, so its files are reachable with createRequire.
import { createRequire } from 'node:module';
import { checkTypes } from './check-types.ts';

const require = createRequire(import.meta.url);

/** Requires a package the way dynalite's own files do (its dependencies: `lock`, `level`). */
export const requireFromDynalite = createRequire(require.resolve('dynalite/db'));

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
  validateAttributeValue(value: AttributeValue): string | undefined;
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
// and hot paths repeat the same expressions with other values (`SET available = available - :q, updatedAt = :now`).
// For item writes only, a parse is remembered by its expressions, names and the type of each value, as a template in
// which each value is a placeholder; a later request gets a copy of the template with its own values put in. The
// parsers resolve `:name` to the value object itself and check only the values' types, except BETWEEN (which compares
// its bounds) and attribute_type (which reads its argument): expressions with those are parsed every time. Each value is
// still checked (number format, empty sets...) as the original does first. dynalite's custom validators call
// `validations.validateExpressions` through the module object, which is what makes this hook possible.
const MEMO_LIMIT = 2000;
const VALUE_DEPENDENT = /between|attribute_type/i;
const originalValidateExpressions = dynaliteValidations.validateExpressions;
interface ParseTemplate {
  updates?: unknown;
  condition?: unknown;
  /** the placeholder objects standing for the values, by name */
  placeholders: Map<unknown, string>;
}
const parsedExpressions = new Map<string, ParseTemplate>();
let memoizeExpressions = false;

/** A copy of a parse tree with every object the map names replaced by the value of that name (prototypes kept). */
function rebind(node: unknown, names: Map<unknown, string>, values: Record<string, unknown>): unknown {
  if (node === null || typeof node !== 'object') return node;
  const name = names.get(node);
  if (name !== undefined) return values[name];
  if (Array.isArray(node)) return node.map((child) => rebind(child, names, values));
  const copy = Object.create(Object.getPrototypeOf(node) as object | null) as Record<string, unknown>;
  for (const key of Object.keys(node)) copy[key] = rebind((node as Record<string, unknown>)[key], names, values);
  return copy;
}

/** `{ ':q': 'N', ':now': 'S' }`, or undefined when a value is not a one-type attribute value (left to the parser). */
function valueTypes(values: Record<string, AttributeValue> | undefined): Record<string, string> | undefined {
  const types: Record<string, string> = {};
  for (const name in values) {
    const value = values[name];
    const keys = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
    if (keys.length !== 1) return undefined;
    types[name] = keys[0]!;
  }
  return types;
}

dynaliteValidations.validateExpressions = (data: Request): string | undefined => {
  if (!memoizeExpressions || data.ProjectionExpression != null) return originalValidateExpressions(data);
  const { UpdateExpression: update, ConditionExpression: condition } = data;
  if ((typeof update === 'string' && VALUE_DEPENDENT.test(update)) || (typeof condition === 'string' && VALUE_DEPENDENT.test(condition))) {
    return originalValidateExpressions(data);
  }
  const values = data.ExpressionAttributeValues as Record<string, AttributeValue> | undefined;
  const types = valueTypes(values);
  if (values && !types) return originalValidateExpressions(data);
  const key = JSON.stringify([update, condition, data.ExpressionAttributeNames, types]);
  const hit = parsedExpressions.get(key);
  if (hit) {
    for (const name in values) {
      const message = dynaliteValidations.validateAttributeValue(values[name]!);
      if (message) return `ExpressionAttributeValues contains invalid value: ${message} for key ${name}`;
    }
    if (hit.updates) data._updates = rebind(hit.updates, hit.placeholders, values ?? {});
    if (hit.condition) data._condition = rebind(hit.condition, hit.placeholders, values ?? {});
    return undefined;
  }
  const message = originalValidateExpressions(data);
  if (message) return message;
  // The template holds placeholders, not this request's values (which may be whole documents).
  const originals = new Map<unknown, string>();
  const placeholders: Record<string, unknown> = {};
  for (const name in values) {
    originals.set(values[name], name);
    placeholders[name] = { placeholder: name };
  }
  if (parsedExpressions.size >= MEMO_LIMIT) parsedExpressions.clear();
  parsedExpressions.set(key, {
    ...(data._updates ? { updates: rebind(data._updates, originals, placeholders) } : {}),
    ...(data._condition ? { condition: rebind(data._condition, originals, placeholders) } : {}),
    placeholders: new Map(Object.entries(placeholders).map(([name, placeholder]) => [placeholder, name])),
  });
  return undefined;
};

// An item's storage key starts with an MD5-based prefix of its partition key (dynalite's hashPrefix), and every write
// computes it two or three times (locks, the action, the stream). dynalite's actions call createKey through the module
// object, so one memo serves them and us. Only table keys (no explicit key schema) are remembered.
const KEY_MEMO_LIMIT = 20_000;
const originalCreateKey = dynaliteDb.createKey;
const createdKeys = new Map<string, string>();

dynaliteDb.createKey = (item: Item, table: TableDescription, keySchema?: KeySchemaElement[]): string => {
  if (keySchema) return originalCreateKey(item, table, keySchema);
  let memoKey = table.TableName;
  for (const { AttributeName } of table.KeySchema) {
    const value = item[AttributeName];
    const type = value && Object.keys(value)[0];
    const piece = type ? value[type] : undefined;
    if (typeof piece !== 'string') return originalCreateKey(item, table);
    memoKey += `\u0000${type}\u0000${piece}`;
  }
  let key = createdKeys.get(memoKey);
  if (key === undefined) {
    key = originalCreateKey(item, table);
    if (createdKeys.size >= KEY_MEMO_LIMIT) createdKeys.clear();
    createdKeys.set(memoKey, key);
  }
  return key;
};

const ITEM_WRITES = new Set<DynaliteOperation>(['PutItem', 'UpdateItem', 'DeleteItem']);

/** Runs dynalite's type coercion (our port of it, check-types.ts) and validation for one action; throws an ApiError on failure. */
export function validateRequest(op: DynaliteOperation, data: Request, store: StoreLike): Request {
  const validation = actionValidations[op];
  const checked = checkTypes(data, validation.types as never);
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

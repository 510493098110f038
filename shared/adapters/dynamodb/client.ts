// The one DynamoDB client of a process, with the document client's interface: commands take and return plain values.
// lib-dynamodb's DynamoDBDocumentClient does the same conversion through per-call middleware, and cannot be combined
// with the SDK's `cacheMiddleware`; building the middleware chain again on every call was the largest part of each
// call's client CPU. Here the conversion is done once per call around a raw client that caches its chains.
import {
  BatchExecuteStatementCommand as BatchStatementsCommand,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand as QueryItemsCommand,
  ScanCommand as ScanItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type {
  BatchExecuteStatementCommandInput,
  BatchExecuteStatementCommandOutput,
  BatchGetCommandInput,
  BatchGetCommandOutput,
  BatchWriteCommandInput,
  BatchWriteCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  TransactWriteCommandInput,
  TransactWriteCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { convertToAttr, marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ENV } from '#config/names';
import { envGetter } from '#config/env';

type Item = Record<string, unknown>;
type Wire = Record<string, AttributeValue>;

/** The endpoint comes from the environment (AWS_ENDPOINT_URL_DYNAMODB locally), never from code. */
export const rawClient = new DynamoDBClient({ cacheMiddleware: true });

const MARSHALL_OPTIONS = { removeUndefinedValues: true, convertClassInstanceToMap: false };
const toWire = (value: Item): Wire => marshall(value, MARSHALL_OPTIONS);
const fromWire = (value: Wire): Item => unmarshall(value);
const optional = <T, R>(value: T | undefined, f: (v: T) => R): R | undefined => (value === undefined ? undefined : f(value));

/** Marshals the members of a request that carry values (keys, items, expression values), leaving the rest as is. */
function wireRequest<T extends { Key?: Item; Item?: Item; ExpressionAttributeValues?: Item; ExclusiveStartKey?: Item }>(input: T) {
  return {
    ...input,
    ...(input.Key ? { Key: toWire(input.Key) } : {}),
    ...(input.Item ? { Item: toWire(input.Item) } : {}),
    ...(input.ExpressionAttributeValues ? { ExpressionAttributeValues: toWire(input.ExpressionAttributeValues) } : {}),
    ...(input.ExclusiveStartKey ? { ExclusiveStartKey: toWire(input.ExclusiveStartKey) } : {}),
  };
}

// Command classes with lib-dynamodb's names and input types: plain holders of their input.
abstract class DocumentCommand<I, O> {
  declare readonly output?: O;
  /** Makes the classes nominal: lib-dynamodb's own commands, which this client does not take, do not type-check. */
  private readonly documentCommand = true;
  constructor(readonly input: I) {}
}
export class GetCommand extends DocumentCommand<GetCommandInput, GetCommandOutput> {}
export class PutCommand extends DocumentCommand<PutCommandInput, PutCommandOutput> {}
export class UpdateCommand extends DocumentCommand<UpdateCommandInput, UpdateCommandOutput> {}
export class DeleteCommand extends DocumentCommand<DeleteCommandInput, DeleteCommandOutput> {}
export class QueryCommand extends DocumentCommand<QueryCommandInput, QueryCommandOutput> {}
export class ScanCommand extends DocumentCommand<ScanCommandInput, ScanCommandOutput> {}
export class BatchGetCommand extends DocumentCommand<BatchGetCommandInput, BatchGetCommandOutput> {}
export class BatchWriteCommand extends DocumentCommand<BatchWriteCommandInput, BatchWriteCommandOutput> {}
export class TransactWriteCommand extends DocumentCommand<TransactWriteCommandInput, TransactWriteCommandOutput> {}
export class BatchExecuteStatementCommand extends DocumentCommand<BatchExecuteStatementCommandInput, BatchExecuteStatementCommandOutput> {}

type AnyCommand = DocumentCommand<unknown, unknown>;

async function execute(command: AnyCommand): Promise<unknown> {
  if (command instanceof GetCommand) {
    const out = await rawClient.send(new GetItemCommand(wireRequest(command.input as GetCommandInput & { Key: Item })));
    return { ...out, Item: optional(out.Item, fromWire) };
  }
  if (command instanceof PutCommand) {
    const out = await rawClient.send(new PutItemCommand(wireRequest(command.input) as never));
    return { ...out, Attributes: optional(out.Attributes, fromWire) };
  }
  if (command instanceof UpdateCommand) {
    const out = await rawClient.send(new UpdateItemCommand(wireRequest(command.input) as never));
    return { ...out, Attributes: optional(out.Attributes, fromWire) };
  }
  if (command instanceof DeleteCommand) {
    const out = await rawClient.send(new DeleteItemCommand(wireRequest(command.input) as never));
    return { ...out, Attributes: optional(out.Attributes, fromWire) };
  }
  if (command instanceof QueryCommand) {
    const out = await rawClient.send(new QueryItemsCommand(wireRequest(command.input) as never));
    return { ...out, Items: out.Items?.map(fromWire), LastEvaluatedKey: optional(out.LastEvaluatedKey, fromWire) };
  }
  if (command instanceof ScanCommand) {
    const out = await rawClient.send(new ScanItemsCommand(wireRequest(command.input) as never));
    return { ...out, Items: out.Items?.map(fromWire), LastEvaluatedKey: optional(out.LastEvaluatedKey, fromWire) };
  }
  if (command instanceof BatchGetCommand) {
    const { RequestItems = {}, ...rest } = command.input as BatchGetCommandInput;
    const out = await rawClient.send(
      new BatchGetItemCommand({
        ...rest,
        RequestItems: Object.fromEntries(Object.entries(RequestItems).map(([table, r]) => [table, { ...r, Keys: (r.Keys ?? []).map(toWire) }])),
      }),
    );
    return {
      ...out,
      Responses: optional(out.Responses, (responses) => Object.fromEntries(Object.entries(responses).map(([table, items]) => [table, items.map(fromWire)]))),
      UnprocessedKeys: optional(out.UnprocessedKeys, (keys) =>
        Object.fromEntries(Object.entries(keys).map(([table, r]) => [table, { ...r, Keys: (r.Keys ?? []).map(fromWire) }])),
      ),
    };
  }
  if (command instanceof BatchWriteCommand) {
    const { RequestItems = {}, ...rest } = command.input as BatchWriteCommandInput;
    const wireRequests = (requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string]) =>
      requests.map((r) => ({
        ...(r.PutRequest ? { PutRequest: { Item: toWire(r.PutRequest.Item as Item) } } : {}),
        ...(r.DeleteRequest ? { DeleteRequest: { Key: toWire(r.DeleteRequest.Key as Item) } } : {}),
      }));
    const out = await rawClient.send(
      new BatchWriteItemCommand({ ...rest, RequestItems: Object.fromEntries(Object.entries(RequestItems).map(([table, r]) => [table, wireRequests(r)])) }),
    );
    const plain = (requests: NonNullable<typeof out.UnprocessedItems>[string]) =>
      requests.map((r) => ({
        ...(r.PutRequest ? { PutRequest: { Item: fromWire(r.PutRequest.Item!) } } : {}),
        ...(r.DeleteRequest ? { DeleteRequest: { Key: fromWire(r.DeleteRequest.Key!) } } : {}),
      }));
    return { ...out, UnprocessedItems: optional(out.UnprocessedItems, (u) => Object.fromEntries(Object.entries(u).map(([table, r]) => [table, plain(r)]))) };
  }
  if (command instanceof TransactWriteCommand) {
    const { TransactItems = [], ...rest } = command.input as TransactWriteCommandInput;
    const items = TransactItems.map((t) => ({
      ...(t.Put ? { Put: wireRequest(t.Put) } : {}),
      ...(t.Update ? { Update: wireRequest(t.Update) } : {}),
      ...(t.Delete ? { Delete: wireRequest(t.Delete) } : {}),
      ...(t.ConditionCheck ? { ConditionCheck: wireRequest(t.ConditionCheck) } : {}),
    }));
    // Cancellation reasons keep `Item` in attribute-value form, as lib-dynamodb's client leaves them.
    return rawClient.send(new TransactWriteItemsCommand({ ...rest, TransactItems: items as never }));
  }
  if (command instanceof BatchExecuteStatementCommand) {
    const { Statements = [], ...rest } = command.input as BatchExecuteStatementCommandInput;
    const out = await rawClient.send(
      new BatchStatementsCommand({
        ...rest,
        Statements: Statements.map((s) => ({ ...s, Parameters: s.Parameters?.map((p) => convertToAttr(p, MARSHALL_OPTIONS)) })),
      }),
    );
    return {
      ...out,
      Responses: out.Responses?.map((r) => ({
        ...r,
        Item: optional(r.Item, fromWire),
        Error: optional(r.Error, (e) => ({ ...e, Item: optional(e.Item, fromWire) })),
      })),
    };
  }
  throw new Error(`Unsupported DynamoDB command ${command.constructor.name}`);
}

/** The document client of the adapters: `documentClient.send(new GetCommand({...}))` and so on, plain values in and out. */
export const documentClient = {
  send<I, O>(command: DocumentCommand<I, O>): Promise<O> {
    return execute(command as AnyCommand) as Promise<O>;
  },
};

export const tableName = envGetter(ENV.tableName);

/** Every item a query matches, following LastEvaluatedKey page after page. */
export async function queryAll(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Item[]> {
  const items: Item[] = [];
  let after: Item | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({ ...input, ...(after ? { ExclusiveStartKey: after } : {}) }));
    items.push(...(page.Items ?? []));
    after = page.LastEvaluatedKey;
  } while (after);
  return items;
}

/** Reads the keys of this table 100 at a time, retrying unprocessed keys with a short backoff. */
export async function batchGetAll(keyList: Item[], options: { consistentRead?: boolean; projection?: string } = {}): Promise<Item[]> {
  const items: Item[] = [];
  for (let i = 0; i < keyList.length; i += 100) {
    let request: BatchGetCommandInput['RequestItems'] | undefined = {
      [tableName()]: {
        Keys: keyList.slice(i, i + 100),
        ...(options.consistentRead ? { ConsistentRead: true } : {}),
        ...(options.projection ? { ProjectionExpression: options.projection } : {}),
      },
    };
    for (let attempt = 0; request && Object.keys(request).length; attempt++) {
      if (attempt) await new Promise((resolve) => setTimeout(resolve, Math.min(500, 10 * 2 ** attempt)));
      const result: BatchGetCommandOutput = await documentClient.send(new BatchGetCommand({ RequestItems: request }));
      items.push(...(result.Responses?.[tableName()] ?? []));
      request = result.UnprocessedKeys;
    }
  }
  return items;
}

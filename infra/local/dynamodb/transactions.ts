// TransactWriteItems and TransactGetItems on top of the write path. Each transaction item is validated with dynalite's
// validations for the matching single-item action (Put -> PutItem, Update -> UpdateItem, Delete and ConditionCheck ->
// DeleteItem), so expressions are parsed and checked exactly as for single-item calls.
import { createHash } from 'node:crypto';
import { dynaliteDb, validateRequest, type ApiError, type Item, type Request, type TableDescription } from './dynalite.ts';
import type { Store } from './store.ts';
import { apiError, validationException } from './errors.ts';
import type { WriteKind, WriteOp, WritePath } from './write-path.ts';

const MAX_TRANSACT_ITEMS = 100;
const IDEMPOTENCY_WINDOW_MS = 10 * 60 * 1000;

const WRITE_KINDS: readonly WriteKind[] = ['Put', 'Update', 'Delete', 'ConditionCheck'];
const VALIDATION_OF = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'DeleteItem' } as const;
const COMMON_MEMBERS = ['TableName', 'ConditionExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues'];
const MEMBERS_OF: Record<WriteKind, string[]> = {
  Put: [...COMMON_MEMBERS, 'Item'],
  Update: [...COMMON_MEMBERS, 'Key', 'UpdateExpression'],
  Delete: [...COMMON_MEMBERS, 'Key'],
  ConditionCheck: [...COMMON_MEMBERS, 'Key'],
};

interface IdempotencyEntry {
  fingerprint: string;
  state: 'in-progress' | 'done';
  expiresAt: number;
  response?: Record<string, unknown>;
}

function pick(source: Record<string, unknown>, members: string[]): Request {
  const out: Request = {};
  for (const m of members) if (source[m] != null) out[m] = source[m];
  return out;
}

function checkCount(list: unknown, member: string): unknown[] {
  if (!Array.isArray(list)) {
    throw validationException(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  if (list.length < 1 || list.length > MAX_TRANSACT_ITEMS) {
    throw validationException(
      `1 validation error detected: Value '[...]' at '${member}' failed to satisfy constraint: ` +
        `Member must have length ${list.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 100'}`,
    );
  }
  return list;
}

function rethrowKeyError(err: ApiError | null | undefined): void {
  if (err) throw err;
}

export class Transactions {
  private readonly tokens = new Map<string, IdempotencyEntry>();

  constructor(
    private readonly writePath: WritePath,
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  async transactWriteItems(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const token = body.ClientRequestToken;
    if (token == null) return this.executeWrite(body);
    if (typeof token !== 'string' || token.length < 1 || token.length > 36) {
      throw validationException(
        "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36",
      );
    }
    const { ClientRequestToken: _token, ...rest } = body;
    // The SDK sends a token with every transaction, and each is kept 10 minutes: keep a digest of the request, not its
    // text (~1 KB a transaction, tens of MB at a few hundred transactions a second).
    const fingerprint = createHash('sha256').update(JSON.stringify(rest)).digest('base64url');
    const now = this.now();
    const existing = this.tokens.get(token);
    if (existing && existing.expiresAt > now) {
      if (existing.fingerprint !== fingerprint) {
        throw apiError(
          'IdempotentParameterMismatchException',
          'The request uses the same client token as a previous, but non-identical request.',
        );
      }
      if (existing.state === 'in-progress') {
        throw apiError('TransactionInProgressException', 'The transaction with the given request token is already in progress.');
      }
      return existing.response!;
    }
    const entry: IdempotencyEntry = { fingerprint, state: 'in-progress', expiresAt: Number.POSITIVE_INFINITY };
    this.tokens.set(token, entry);
    try {
      const response = await this.executeWrite(body);
      entry.state = 'done';
      entry.response = response;
      entry.expiresAt = this.now() + IDEMPOTENCY_WINDOW_MS;
      return response;
    } catch (err) {
      // Only a successful transaction pins its token; a cancelled one may be retried with the same token.
      this.tokens.delete(token);
      throw err;
    }
  }

  /** Forgets idempotency tokens older than the 10-minute window. */
  expireTokens(): void {
    const now = this.now();
    for (const [token, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(token);
  }

  async transactGetItems(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const items = checkCount(body.TransactItems, 'transactItems');
    const gets: { table: TableDescription; key: string; data: Request }[] = [];
    for (const raw of items) {
      const get = (raw as Record<string, unknown> | null)?.Get as Record<string, unknown> | undefined;
      if (!get || typeof get !== 'object') throw validationException('TransactGetItem must contain a Get');
      const data = validateRequest(
        'GetItem',
        pick(get, ['TableName', 'Key', 'ProjectionExpression', 'ExpressionAttributeNames']),
        this.store,
      );
      const table = await this.writePath.getTable(data.TableName as string);
      rethrowKeyError(dynaliteDb.validateKey(data.Key as Item, table));
      gets.push({ table, key: dynaliteDb.createKey(data.Key as Item, table), data });
    }
    this.rejectDuplicates(gets);
    // Reading under the same locks writers take means a transaction is seen entirely or not at all.
    const responses = await this.writePath.withLocks(gets, () =>
      Promise.all(
        gets.map(async ({ table, key, data }) => {
          const item = (await this.store.db.get(`item-${table.TableName}~${key}`)) as Item | undefined;
          if (!item) return {};
          const projection = (data._projection as { paths: unknown[] } | undefined)?.paths;
          return { Item: projection ? dynaliteDb.mapPaths(projection, item) : item };
        }),
      ),
    );
    return { Responses: responses };
  }

  private async executeWrite(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const items = checkCount(body.TransactItems, 'transactItems');
    const ops: WriteOp[] = [];
    for (const raw of items) {
      const entry = (raw ?? {}) as Record<string, unknown>;
      const kinds = WRITE_KINDS.filter((k) => entry[k] != null);
      if (kinds.length !== 1) {
        throw validationException(
          'TransactItems can only contain one of Check, Put, Update or Delete',
        );
      }
      const kind = kinds[0]!;
      const member = entry[kind] as Record<string, unknown>;
      if (kind === 'ConditionCheck' && member.ConditionExpression == null) {
        throw validationException('The ConditionExpression parameter is required for a ConditionCheck');
      }
      if (kind === 'Update' && member.UpdateExpression == null) {
        throw validationException('The UpdateExpression parameter is required for an Update');
      }
      const data = validateRequest(VALIDATION_OF[kind], pick(member, MEMBERS_OF[kind]), this.store);
      const table = await this.writePath.getTable(data.TableName as string);
      if (kind === 'Put') rethrowKeyError(dynaliteDb.validateItem(data.Item as Item, table));
      else rethrowKeyError(dynaliteDb.validateKey(data.Key as Item, table));
      ops.push({
        kind,
        table,
        key: dynaliteDb.createKey((kind === 'Put' ? data.Item : data.Key) as Item, table),
        data,
        returnOldOnConditionFailure: member.ReturnValuesOnConditionCheckFailure === 'ALL_OLD',
      });
    }
    this.rejectDuplicates(ops);

    const { committed, outcomes } = await this.writePath.write(ops, true);
    if (committed) return {};
    const reasons = outcomes.map((o) => {
      if (o.ok) return { Code: 'None' };
      const type = o.error.body?.__type ?? '';
      if (type.endsWith('#ConditionalCheckFailedException')) {
        return { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(o.item ? { Item: o.item } : {}) };
      }
      if (type.endsWith('#ValidationException')) return { Code: 'ValidationError', Message: o.error.body?.message ?? o.error.message };
      throw o.error;
    });
    const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`;
    throw apiError('TransactionCanceledException', message, { Message: message, CancellationReasons: reasons });
  }

  private rejectDuplicates(targets: { table: TableDescription; key: string }[]): void {
    const seen = new Set<string>();
    for (const { table, key } of targets) {
      const id = `${table.TableName}\u0000${key}`;
      if (seen.has(id)) throw validationException('Transaction request cannot include multiple operations on one item');
      seen.add(id);
    }
  }
}

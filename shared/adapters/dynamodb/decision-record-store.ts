/**
 * Routing decision records (what-if, issue 15) and the tenant's shadow rule set.
 *
 * A record is one item, written in the fulfil step's own transaction (no call of its own), never updated, expiring
 * after DECISION_RECORD_TTL_DAYS. Its body is the record's JSON, deflated (binary attribute `body`): ~1.4 KB for an
 * order with ~25 stocked candidate locations (docs/routing.md, "What-if"). Keys: partition
 * `<tenant>#DECISIONS#<UTC day>#<shard>` (8 shards by a hash of the order id, so a tenant's peak spreads over eight
 * partitions), sort key `<decidedAt>#<orderId>#<attempt>`: a period is a range read of 8 partitions per day.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DecisionRecord } from '#domain/orders/decision-record';
import { parseRoutingRules } from '#domain/routing/rules';
import type { ShadowRules } from '#domain/orders/what-if';
import type { DecisionRecordReader, ShadowRulesStore } from '#application/routing/what-if';
import { ttlCache } from '../ttl-cache.ts';
import { DeleteCommand, documentClient, GetCommand, PutCommand, queryAll, tableName } from './client.ts';
import { tenantKey } from './keys.ts';

export const DECISION_RECORD_TTL_DAYS = 90;
export const DECISION_SHARDS = 8;

const shardOf = (orderId: string) => createHash('sha1').update(orderId).digest()[0]! % DECISION_SHARDS;
const partition = (tenantId: string, day: string, shard: number) => tenantKey(tenantId, 'DECISIONS', day, String(shard));

/**
 * A record's body is kept under this, far below DynamoDB's 400 KB item limit, so that recording can never make the
 * allocation's transaction fail: a larger one (thousands of stocked candidates) keeps its decision without its input.
 */
export const MAX_RECORD_BODY_BYTES = 200_000;

function bodyOf(record: DecisionRecord): Uint8Array {
  const body = deflateRawSync(JSON.stringify(record));
  if (body.length <= MAX_RECORD_BODY_BYTES) return new Uint8Array(body);
  return new Uint8Array(deflateRawSync(JSON.stringify({ ...record, candidates: [], inputOmitted: true })));
}

/** The record as an item (for a transaction's Put): keys, entity, TTL and the deflated JSON. */
export function decisionRecordItem(tenantId: string, record: DecisionRecord): Record<string, unknown> {
  return {
    pk: partition(tenantId, record.decidedAt.slice(0, 10), shardOf(record.orderId)),
    sk: `${record.decidedAt}#${record.orderId}#${record.attempt}`,
    entity: 'RoutingDecisionRecord',
    version: 1,
    schema: record.schema,
    expiresAt: Math.floor(Date.parse(record.decidedAt) / 1000) + DECISION_RECORD_TTL_DAYS * 86_400,
    body: bodyOf(record),
  };
}

export function decisionRecordOf(item: Record<string, unknown>): DecisionRecord {
  return JSON.parse(inflateRawSync(item.body as Uint8Array).toString('utf8')) as DecisionRecord;
}

function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from.slice(0, 10)}T00:00:00Z`); t < Date.parse(to); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export const dynamoDecisionRecords: DecisionRecordReader = {
  async list(tenantId, from, to, limit) {
    const found: DecisionRecord[] = [];
    // Day by day (oldest first), the day's shards at once; stops once more than `limit` are known.
    for (const day of daysOf(from, to)) {
      const shards = await Promise.all(
        Array.from({ length: DECISION_SHARDS }, (_, shard) =>
          queryAll({
            TableName: tableName(),
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': partition(tenantId, day, shard), ':from': from, ':to': to },
          }),
        ),
      );
      const ofDay = shards
        .flat()
        .filter((item) => String(item.sk) < to)
        .sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
      for (const item of ofDay) found.push(decisionRecordOf(item));
      if (found.length >= limit) return found.slice(0, limit);
    }
    return found;
  },
};

const shadowKey = (tenantId: string) => ({ pk: tenantKey(tenantId, 'TENANT'), sk: 'ROUTING_RULES_SHADOW' });

function shadowOf(item: Record<string, unknown>): ShadowRules {
  return { rules: parseRoutingRules(item.rules), scope: (item.scope ?? {}) as ShadowRules['scope'], installedAt: String(item.installedAt) };
}

export const dynamoShadowRulesStore: ShadowRulesStore = {
  async get(tenantId) {
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: shadowKey(tenantId) }));
    return Item ? shadowOf(Item) : undefined;
  },
  async put(tenantId, shadow, previousVersion) {
    try {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...shadowKey(tenantId), entity: 'ShadowRoutingRules', version: shadow.rules.version, rules: shadow.rules, scope: shadow.scope, installedAt: shadow.installedAt },
          ConditionExpression: 'attribute_not_exists(pk) OR version = :previous',
          ExpressionAttributeValues: { ':previous': previousVersion },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },
  async remove(tenantId) {
    await documentClient.send(new DeleteCommand({ TableName: tableName(), Key: shadowKey(tenantId) }));
  },
};

/**
 * The router's view of the shadow: like the routing rules, each container keeps it 30 s, so shadow mode costs no call
 * per order (one GetItem per container and tenant every 30 s).
 */
export const cachedShadowRules = ttlCache((tenantId) => dynamoShadowRulesStore.get(tenantId), 30_000);

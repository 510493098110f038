import { ownPosition } from '#application/cursor';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { Delivery, DeliveryAttempt, DeliveryKey, DeliveryStatus, DeliveryStore, WebhookStore } from '#application/notifications/ports';
import type { WebhookSubscription } from '#domain/notifications/webhooks';
import { documentClient, GetCommand, PutCommand, queryAll, QueryCommand, tableName, TransactWriteCommand, UpdateCommand } from './client.ts';
import { tenantKey } from './keys.ts';

/**
 * Item layout of webhooks (every key starts with the tenant id):
 *
 *   WebhookSubscription  pk T#WEBHOOKS                       sk WEBHOOK#<webhookId>   (secret included)
 *   WebhookCounter       pk T#WEBHOOKS                       sk COUNTER               (guards the per-tenant maximum)
 *   WebhookDelivery      pk T#WEBHOOK#<webhookId>#DELIVERIES sk DELIVERY#<deliveryId>   TTL expiresAt
 *                        gsi1pk (= pk)                       gsi1sk <createdAt>#<deliveryId>  (newest first listing)
 *
 * A tenant's subscriptions are one Query; the counter changes in the same transaction as the subscription it counts.
 * The signing secret is stored as written: the table is encrypted at rest (KMS on AWS), and only the deliverer reads it.
 */
const WEBHOOK_PREFIX = 'WEBHOOK#';
const COUNTER = 'COUNTER';
const ENTITY = { subscription: 'WebhookSubscription', counter: 'WebhookCounter', delivery: 'WebhookDelivery' } as const;

type Item = Record<string, unknown>;

const subscriptionsPk = (tenantId: string) => tenantKey(tenantId, 'WEBHOOKS');
const subscriptionKey = (tenantId: string, webhookId: string) => ({ pk: subscriptionsPk(tenantId), sk: `${WEBHOOK_PREFIX}${webhookId}` });
const deliveriesPk = (tenantId: string, webhookId: string) => tenantKey(tenantId, 'WEBHOOK', webhookId, 'DELIVERIES');
const deliveryKey = (key: DeliveryKey) => ({ pk: deliveriesPk(key.tenantId, key.webhookId), sk: `DELIVERY#${key.deliveryId}` });

function subscriptionOf(item: Item): WebhookSubscription {
  return {
    tenantId: String(item.tenantId),
    webhookId: String(item.webhookId),
    kind: item.kind as WebhookSubscription['kind'],
    url: String(item.url),
    events: (item.events as string[] | undefined) ?? [],
    ...(typeof item.description === 'string' ? { description: item.description } : {}),
    createdAt: String(item.createdAt),
    secret: String(item.secret),
  };
}

function deliveryOf(item: Item): Delivery {
  return {
    tenantId: String(item.tenantId),
    webhookId: String(item.webhookId),
    deliveryId: String(item.deliveryId),
    occurredAt: String(item.occurredAt),
    eventId: String(item.eventId),
    eventType: String(item.eventType),
    ...(typeof item.orderId === 'string' ? { orderId: item.orderId } : {}),
    status: item.status as DeliveryStatus,
    createdAt: String(item.createdAt),
    ...(typeof item.enqueuedAt === 'string' ? { enqueuedAt: item.enqueuedAt } : {}),
    attempts: (item.attempts as DeliveryAttempt[] | undefined) ?? [],
    expiresAt: Number(item.expiresAt),
  };
}

function conditionFailedAt(error: unknown, index: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
}

export const dynamoWebhookStore: WebhookStore = {
  async create(subscription, max) {
    try {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName(),
                Key: { pk: subscriptionsPk(subscription.tenantId), sk: COUNTER },
                UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one, #entity = :entity, #version = if_not_exists(#version, :zero) + :one',
                ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
                ExpressionAttributeNames: { '#count': 'count', '#entity': 'entity', '#version': 'version' },
                ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': max, ':entity': ENTITY.counter },
              },
            },
            {
              Put: {
                TableName: tableName(),
                Item: { ...subscriptionKey(subscription.tenantId, subscription.webhookId), entity: ENTITY.subscription, version: 1, ...subscription },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailedAt(error, 0)) return false;
      throw error;
    }
  },

  async list(tenantId) {
    const items = await queryAll({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': subscriptionsPk(tenantId), ':prefix': WEBHOOK_PREFIX },
    });
    return items.map(subscriptionOf);
  },


  async get(tenantId, webhookId) {
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: subscriptionKey(tenantId, webhookId) }));
    return Item ? subscriptionOf(Item) : undefined;
  },

  async delete(tenantId, webhookId) {
    try {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: tableName(), Key: subscriptionKey(tenantId, webhookId), ConditionExpression: 'attribute_exists(pk)' } },
            {
              Update: {
                TableName: tableName(),
                Key: { pk: subscriptionsPk(tenantId), sk: COUNTER },
                UpdateExpression: 'SET #count = #count - :one, #version = #version + :one',
                ConditionExpression: '#count > :zero',
                ExpressionAttributeNames: { '#count': 'count', '#version': 'version' },
                ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailedAt(error, 0)) return false;
      throw error;
    }
  },
};

export const dynamoDeliveryStore: DeliveryStore = {
  async claim(delivery, now, leaseSeconds) {
    const claimedUntil = now.getTime() + leaseSeconds * 1000;
    try {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...deliveryKey(delivery),
            gsi1pk: deliveriesPk(delivery.tenantId, delivery.webhookId),
            gsi1sk: `${delivery.createdAt}#${delivery.deliveryId}`,
            entity: ENTITY.delivery,
            version: 1,
            ...delivery,
            claimedUntil,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    try {
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: deliveryKey(delivery),
          UpdateExpression: 'SET #claimedUntil = :until, #version = #version + :one',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#enqueuedAt) AND (attribute_not_exists(#claimedUntil) OR #claimedUntil < :now)',
          ExpressionAttributeNames: { '#claimedUntil': 'claimedUntil', '#enqueuedAt': 'enqueuedAt', '#version': 'version' },
          ExpressionAttributeValues: { ':until': claimedUntil, ':now': now.getTime(), ':one': 1 },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },

  async markEnqueued(key, at) {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: deliveryKey(key),
        UpdateExpression: 'SET #enqueuedAt = if_not_exists(#enqueuedAt, :at), #version = #version + :one REMOVE #claimedUntil',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#enqueuedAt': 'enqueuedAt', '#claimedUntil': 'claimedUntil', '#version': 'version' },
        ExpressionAttributeValues: { ':at': at, ':one': 1 },
      }),
    );
  },

  async release(key) {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: deliveryKey(key),
        UpdateExpression: 'SET #version = #version + :one REMOVE #claimedUntil',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#claimedUntil': 'claimedUntil', '#version': 'version' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  },

  async get(key) {
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: deliveryKey(key), ConsistentRead: true }));
    return Item ? deliveryOf(Item) : undefined;
  },

  async recordAttempt(key, attempt, status) {
    try {
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: deliveryKey(key),
          UpdateExpression:
            'SET #attempts = list_append(if_not_exists(#attempts, :none), :attempt), #status = :status, #version = #version + :one',
          // A record the TTL already removed is not recreated half-empty; a DELIVERED one is never set back.
          ConditionExpression: 'attribute_exists(pk) AND #status <> :delivered',
          ExpressionAttributeNames: { '#attempts': 'attempts', '#status': 'status', '#version': 'version' },
          ExpressionAttributeValues: { ':none': [], ':attempt': [attempt], ':status': status, ':one': 1, ':delivered': 'DELIVERED' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  },

  async cancel(key) {
    try {
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: deliveryKey(key),
          UpdateExpression: 'SET #status = :cancelled, #version = #version + :one',
          ConditionExpression: 'attribute_exists(pk) AND #status <> :delivered',
          ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
          ExpressionAttributeValues: { ':cancelled': 'CANCELLED', ':delivered': 'DELIVERED', ':one': 1 },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  },

  async list(tenantId, webhookId, { limit, after }) {
    const pk = deliveriesPk(tenantId, webhookId);
    // A cursor is only ever used within the caller's own webhook's partition.
    const start = after ? ownPosition(after, { partition: { pk, gsi1pk: pk }, sortKeys: ['sk', 'gsi1sk'] }) : undefined;
    const { Items, LastEvaluatedKey } = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ScanIndexForward: false,
        Limit: limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    return { items: (Items ?? []).map(deliveryOf), ...(LastEvaluatedKey ? { next: LastEvaluatedKey } : {}) };
  },
};


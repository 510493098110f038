import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { Tenant, TenantSettings } from '#domain/tenants/tenant';
import { ADMIN_KEY_ID, nameKey, type ApiKey } from '#domain/tenants/api-keys';
import { ownPosition } from '#application/cursor';
import { ConflictError } from '#application/errors';
import type { ApiKeyRecord, ApiKeyStore, StoredApiKey, TenantStore } from '#application/ports';
import { ApiKeyNameTakenError } from '#application/tenants/api-keys';
import { documentClient, GetCommand, PutCommand, QueryCommand, tableName, TransactWriteCommand } from './client.ts';
import { keyPart, tenantKey } from './keys.ts';

const PROFILE = 'PROFILE';
const SETTINGS = 'SETTINGS';
/** The credential the authorizer reads: found by the digest of the presented key; deleted when the key is revoked. */
const apiKeySk = (digest: string) => `APIKEY#${digest}`;
/** A key issued over HTTP by its id: what revocation finds (kept, REVOKED, after the credential is gone). */
const apiKeyIdSk = (keyId: string) => `APIKEYID#${keyId}`;
/** Holds a working key's name, so two keys (or a retried request) cannot share one. */
const apiKeyNameSk = (name: string) => `APIKEYNAME#${keyPart(nameKey(name))}`;

export const dynamoTenantStore: TenantStore = {
  async create(tenant: Tenant, key: ApiKeyRecord): Promise<void> {
    const pk = tenantKey(tenant.tenantId, 'TENANT');
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              // gsi2 TENANTS is the tenant registry: the one cross-tenant index, read only by the order sweeper.
              Item: { pk, sk: PROFILE, entity: 'Tenant', version: 1, gsi2pk: 'TENANTS', gsi2sk: tenant.tenantId, ...tenant },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: { pk, sk: apiKeySk(key.keyDigest), entity: 'ApiKey', version: 1, ...key },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  },

  async get(tenantId: string): Promise<Tenant | undefined> {
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: { pk: tenantKey(tenantId, 'TENANT'), sk: PROFILE } }),
    );
    if (!Item) return undefined;
    return { tenantId: Item.tenantId, name: Item.name, status: Item.status, createdAt: Item.createdAt };
  },

  async findApiKey(key, keyDigest): Promise<ApiKeyRecord | undefined> {
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: { pk: tenantKey(key.tenantId, 'TENANT'), sk: apiKeySk(keyDigest) } }),
    );
    if (!Item) return undefined;
    return { ...apiKeyOf(Item), keyDigest: String(Item.keyDigest) };
  },

  async getSettings(tenantId: string): Promise<TenantSettings | undefined> {
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: { pk: tenantKey(tenantId, 'TENANT'), sk: SETTINGS } }),
    );
    return Item ? settingsOf(Item) : undefined;
  },

  async putSettingsIfAbsent(settings: TenantSettings): Promise<TenantSettings> {
    const pk = tenantKey(settings.tenantId, 'TENANT');
    try {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: { pk, sk: SETTINGS, entity: 'TenantSettings', version: 1, ...settings },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return settings;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.getSettings(settings.tenantId);
      if (!existing) throw error;
      return existing;
    }
  },
};

/** A stored key as the application sees it: never its digest. Keys made with their tenant are the admin key. */
function apiKeyOf(item: Record<string, unknown>): ApiKey {
  return {
    tenantId: String(item.tenantId),
    keyId: typeof item.keyId === 'string' ? item.keyId : ADMIN_KEY_ID,
    ...(typeof item.name === 'string' ? { name: item.name } : {}),
    ...(item.scope ? { scope: { locationIds: [...(item.scope as { locationIds: string[] }).locationIds] } } : {}),
    createdAt: String(item.createdAt),
    hint: String(item.hint),
  };
}

function storedApiKeyOf(item: Record<string, unknown>): StoredApiKey {
  return { ...apiKeyOf(item), status: item.status === 'REVOKED' ? 'REVOKED' : 'ACTIVE', ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}) };
}

export const dynamoApiKeyStore: ApiKeyStore = {
  async issue(key) {
    const pk = tenantKey(key.tenantId, 'TENANT');
    const { keyDigest, ...shown } = key;
    try {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName(), Item: { pk, sk: apiKeySk(keyDigest), entity: 'ApiKey', version: 1, ...key }, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: tableName(),
                Item: { pk, sk: apiKeyIdSk(key.keyId), entity: 'ApiKeyId', version: 1, ...shown, keyDigest, status: 'ACTIVE' },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tableName(),
                Item: { pk, sk: apiKeyNameSk(key.name), entity: 'ApiKeyName', version: 1, tenantId: key.tenantId, keyId: key.keyId },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[2]?.Code === 'ConditionalCheckFailed') throw new ApiKeyNameTakenError(key.name);
      throw error;
    }
  },

  async list(tenantId, { limit, after }) {
    const pk = tenantKey(tenantId, 'TENANT');
    const { Items, LastEvaluatedKey } = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': 'APIKEY#' },
        Limit: limit,
        ...(after ? { ExclusiveStartKey: ownPosition(after, { partition: { pk }, sortKeys: ['sk'] }) } : {}),
      }),
    );
    return { items: (Items ?? []).map(apiKeyOf), ...(LastEvaluatedKey ? { next: LastEvaluatedKey } : {}) };
  },

  async get(tenantId, keyId) {
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: { pk: tenantKey(tenantId, 'TENANT'), sk: apiKeyIdSk(keyId) }, ConsistentRead: true }),
    );
    return Item ? storedApiKeyOf(Item) : undefined;
  },

  async revoke(tenantId, keyId, now) {
    const pk = tenantKey(tenantId, 'TENANT');
    for (let attempt = 0; attempt < 3; attempt++) {
      const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: { pk, sk: apiKeyIdSk(keyId) }, ConsistentRead: true }));
      if (!Item) return undefined;
      if (Item.status === 'REVOKED') return storedApiKeyOf(Item);
      const revokedAt = now.toISOString();
      try {
        await documentClient.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName(),
                  Key: { pk, sk: apiKeyIdSk(keyId) },
                  UpdateExpression: 'SET #status = :revoked, revokedAt = :at, version = version + :one',
                  ConditionExpression: '#status = :active',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':revoked': 'REVOKED', ':active': 'ACTIVE', ':at': revokedAt, ':one': 1 },
                },
              },
              { Delete: { TableName: tableName(), Key: { pk, sk: apiKeySk(String(Item.keyDigest)) } } },
              // Frees the name for a new key; only this key's hold on it.
              { Delete: { TableName: tableName(), Key: { pk, sk: apiKeyNameSk(String(Item.name)) }, ConditionExpression: 'attribute_not_exists(pk) OR keyId = :id', ExpressionAttributeValues: { ':id': keyId } } },
            ],
          }),
        );
        return storedApiKeyOf({ ...Item, status: 'REVOKED', revokedAt });
      } catch (error) {
        // A concurrent revocation won: read again, and answer the key as it revoked it.
        if (!(error instanceof TransactionCanceledException)) throw error;
      }
    }
    throw new ConflictError(`API key ${keyId} was changed concurrently`);
  },
};

function settingsOf(item: Record<string, unknown>): TenantSettings {
  return {
    tenantId: item.tenantId as string,
    defaultPreference: item.defaultPreference as TenantSettings['defaultPreference'],
    defaultSplitPolicy: item.defaultSplitPolicy as TenantSettings['defaultSplitPolicy'],
    customRegions: Array.isArray(item.customRegions) ? (item.customRegions as NonNullable<TenantSettings['customRegions']>) : [],
    currency: item.currency as string,
    seededAt: item.seededAt as string,
  };
}

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Tenant, TenantSettings } from '#domain/tenants/tenant';
import type { ApiKeyRecord, TenantStore } from '#application/ports';
import { documentClient, GetCommand, PutCommand, tableName, TransactWriteCommand } from './client.ts';
import { tenantKey } from './keys.ts';

const PROFILE = 'PROFILE';
const SETTINGS = 'SETTINGS';
const apiKeySk = (digest: string) => `APIKEY#${digest}`;

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
    return { tenantId: Item.tenantId, keyDigest: Item.keyDigest, createdAt: Item.createdAt, hint: Item.hint };
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

function settingsOf(item: Record<string, unknown>): TenantSettings {
  return {
    tenantId: item.tenantId as string,
    defaultPreference: item.defaultPreference as TenantSettings['defaultPreference'],
    defaultSplitPolicy: item.defaultSplitPolicy as TenantSettings['defaultSplitPolicy'],
    currency: item.currency as string,
    seededAt: item.seededAt as string,
  };
}

import { DEFAULT_RETURN_POLICY, type ReturnPolicy } from '#domain/orders/refund';
import { defaultSettings } from '#domain/tenants/tenant';
import type { ReturnPolicyStore } from '#application/orders/returns';
import { documentClient, GetCommand, tableName, UpdateCommand } from './client.ts';
import { tenantKey } from './keys.ts';

const settingsKey = (tenantId: string) => ({ pk: tenantKey(tenantId, 'TENANT'), sk: 'SETTINGS' });

/**
 * The tenant's return policy, kept on its settings item (`returnPolicy`) beside the routing settings, which
 * PUT /tenant/settings sets attribute by attribute, so neither write undoes the other.
 */
export const dynamoReturnPolicyStore: ReturnPolicyStore = {
  async get(tenantId) {
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: settingsKey(tenantId), ProjectionExpression: 'returnPolicy' }));
    const stored = Item?.returnPolicy as Partial<ReturnPolicy> | undefined;
    return stored ? { ...DEFAULT_RETURN_POLICY, ...stored } : undefined;
  },
  async put(tenantId, policy, now) {
    const seeded = defaultSettings(tenantId, now);
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: settingsKey(tenantId),
        // Settings not seeded yet (onboarding runs a moment after the tenant is created) get the seeded defaults for
        // what this request does not set; seeding then finds them and keeps them (as PUT /tenant/settings does).
        UpdateExpression:
          'SET entity = :entity, tenantId = :tenantId, returnPolicy = :policy, defaultPreference = if_not_exists(defaultPreference, :preference), ' +
          'defaultSplitPolicy = if_not_exists(defaultSplitPolicy, :split), currency = if_not_exists(currency, :currency), ' +
          'seededAt = if_not_exists(seededAt, :seededAt), version = if_not_exists(version, :zero) + :one',
        ExpressionAttributeValues: {
          ':entity': 'TenantSettings',
          ':tenantId': tenantId,
          ':policy': policy,
          ':preference': seeded.defaultPreference,
          ':split': seeded.defaultSplitPolicy,
          ':currency': seeded.currency,
          ':seededAt': seeded.seededAt,
          ':zero': 0,
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { ...DEFAULT_RETURN_POLICY, ...(Attributes?.returnPolicy as ReturnPolicy) };
  },
};

import { ownPosition } from '#application/cursor';
import type { ChannelStore, LocationStore, SkuStore } from '#application/ports';
import type { ChannelRule, Location, Sku } from '#domain/inventory/location';
import { batchGetAll, documentClient, GetCommand, QueryCommand, tableName, UpdateCommand } from './client.ts';
import { channelOfItem, ENTITY, keys, locationOfItem, skuOfItem } from './inventory-items.ts';

type Item = Record<string, unknown>;

/**
 * Creates or replaces an item's attributes in one UpdateItem: present fields are SET, absent optional fields REMOVEd,
 * and the version bumped from whatever is stored, so a PUT needs no read first.
 */
async function upsert(key: { pk: string; sk: string }, entity: string, fields: Item, optional: string[]): Promise<{ item: Item; created: boolean }> {
  const names: Record<string, string> = { '#entity': 'entity', '#version': 'version' };
  const values: Record<string, unknown> = { ':entity': entity, ':zero': 0, ':one': 1 };
  const sets = ['#entity = :entity', '#version = if_not_exists(#version, :zero) + :one'];
  const removes: string[] = [];
  Object.entries(fields).forEach(([name, value], i) => {
    if (value === undefined) return;
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
  });
  optional.forEach((name, i) => {
    if (fields[name] !== undefined) return;
    names[`#o${i}`] = name;
    removes.push(`#o${i}`);
  });
  const { Attributes } = await documentClient.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return { item: Attributes!, created: Attributes!.version === 1 };
}

async function getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: key }));
  return Item;
}

export const dynamoLocationStore: LocationStore = {
  async put(location) {
    const { item, created } = await upsert(keys.location(location.tenantId, location.locationId), ENTITY.location, { ...location }, ['address', 'dailyCapacity', 'rank', 'openingHours', 'timeZone', 'handlingMinutes']);
    return { location: locationOfItem(item), created };
  },
  async get(tenantId, locationId) {
    const item = await getItem(keys.location(tenantId, locationId));
    return item ? locationOfItem(item) : undefined;
  },
  async list(tenantId, { limit, after }) {
    const { Items, LastEvaluatedKey } = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.locations(tenantId), ':prefix': 'LOCATION#' },
        Limit: limit,
        ...(after ? { ExclusiveStartKey: ownKey(after, keys.locations(tenantId)) } : {}),
      }),
    );
    return { items: (Items ?? []).map(locationOfItem), ...(LastEvaluatedKey ? { next: LastEvaluatedKey } : {}) };
  },
  async existing(tenantId, locationIds) {
    const items = await batchGetAll([...new Set(locationIds)].map((id) => keys.location(tenantId, id)), { projection: 'locationId' });
    return new Set(items.map((item) => String(item.locationId)));
  },

};

/** A cursor from a client is only ever used within the caller's own partition (base table, or gsi1 with `indexPk`). */
export function ownKey(after: Record<string, unknown>, pk: string, indexPk?: { name: string; value: string }): Record<string, unknown> {
  return indexPk ? ownPosition(after, { partition: { [indexPk.name]: indexPk.value }, sortKeys: ['pk', 'sk', 'gsi1sk'] }) : ownPosition(after, { partition: { pk }, sortKeys: ['sk'] });
}

export const dynamoSkuStore: SkuStore = {
  async put(sku) {
    const { item, created } = await upsert(keys.sku(sku.tenantId, sku.sku), ENTITY.sku, { ...sku }, ['name', 'dims', 'lowStockThreshold', 'category']);
    return { sku: skuOfItem(item) as Sku, created };
  },
  async get(tenantId, sku) {
    const item = await getItem(keys.sku(tenantId, sku));
    return item ? skuOfItem(item) : undefined;
  },
};

export const dynamoChannelStore: ChannelStore = {
  async put(rule) {
    const { item } = await upsert(keys.channel(rule.tenantId, rule.channel), ENTITY.channel, { ...rule }, ['skus']);
    return channelOfItem(item) as ChannelRule;
  },
  async get(tenantId, channel) {
    const item = await getItem(keys.channel(tenantId, channel));
    return item ? channelOfItem(item) : undefined;
  },
  async list(tenantId) {
    const { Items } = await documentClient.send(
      new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.channels(tenantId) } }),
    );
    return (Items ?? []).map(channelOfItem);
  },
};

export type { Location };

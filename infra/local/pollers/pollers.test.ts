import { describe, expect, it } from 'vitest';
import { prefilter } from './index.ts';

const record = (entity: string, eventName = 'MODIFY') =>
  JSON.stringify({ eventName, dynamodb: { NewImage: { pk: { S: 't#1' }, entity: { S: entity } }, SequenceNumber: '000000000000000000001' } });

describe('the stream prefilter', () => {
  it('lets through every record when the mapping has no filters', () => {
    expect(prefilter(undefined)(record('Anything'))).toBe(true);
  });

  it('lets through a record holding one of the listed strings of every leaf of some pattern', () => {
    const mayMatch = prefilter([
      { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: ['Stock', 'Sku'] } } } },
      { eventName: ['REMOVE'], dynamodb: { OldImage: { entity: { S: ['Reservation'] } } } },
    ]);

    expect(mayMatch(record('Stock'))).toBe(true);
    expect(mayMatch(record('Reservation', 'REMOVE'))).toBe(true);
    expect(mayMatch(record('Reservation', 'INSERT'))).toBe(false);
    expect(mayMatch(record('Order'))).toBe(false);
  });

  it('does not hold back a record for a leaf it cannot judge by text (numbers, prefix and other matchers)', () => {
    const mayMatch = prefilter([{ dynamodb: { NewImage: { qty: { N: [{ numeric: ['>', 0] }] }, entity: { S: [{ prefix: 'St' }] } } } }]);

    expect(mayMatch(record('Order'))).toBe(true);
  });

  it('matches only whole JSON strings, not pieces of longer ones', () => {
    const mayMatch = prefilter([{ dynamodb: { NewImage: { entity: { S: ['Sku'] } } } }]);

    expect(mayMatch(record('SkuNetwork'))).toBe(false);
  });
});

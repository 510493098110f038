import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeCursor, encodeCursor, ownPosition } from './cursor.ts';
import { InvalidCursorError } from './errors.ts';

const listing = { partition: { gsi1pk: 't_1#ORDERS#ACCEPTED' }, sortKeys: ['pk', 'sk', 'gsi1sk'] } as const;
const position = { gsi1pk: 't_1#ORDERS#ACCEPTED', pk: 't_1#ORDER#o_1', sk: 'ORDER', gsi1sk: '2026-12-03T00:00:00.000Z#o_1' };

describe('list cursors', () => {
  it('round-trip a position of the listing they came from', () => {
    expect(ownPosition(decodeCursor(encodeCursor(position))!, listing)).toEqual(position);
  });

  it('refuse a position of another partition (another tenant or status) as an invalid cursor', () => {
    const other = decodeCursor(encodeCursor({ ...position, gsi1pk: 't_2#ORDERS#ACCEPTED' }))!;
    expect(() => ownPosition(other, listing)).toThrow(InvalidCursorError);
  });

  it('refuse a position with missing, extra or non-scalar attributes', () => {
    const { sk: _sk, ...missing } = position;
    expect(() => ownPosition(missing, listing)).toThrow(InvalidCursorError);
    expect(() => ownPosition({ ...position, extra: 'x' }, listing)).toThrow(InvalidCursorError);
    expect(() => decodeCursor(encodeCursor({ ...position, sk: { S: 'ORDER' } }))).toThrow(InvalidCursorError);
    expect(() => ownPosition({ ...position, sk: 7 }, listing)).toThrow(InvalidCursorError);
  });

  it('refuse any tampered text with InvalidCursorError, never another error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          const decoded = decodeCursor(text);
          if (decoded) ownPosition(decoded, listing);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidCursorError);
        }
      }),
    );
  });
});

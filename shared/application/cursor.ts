/**
 * The one cursor scheme of every list: an opaque, base64url JSON of the position (a DynamoDB key), bound to the
 * listing it came from. Decoding checks the position is a flat key of strings and numbers naming exactly the expected
 * attributes, and that its partition attributes are the listing's own (so a tenant cannot page another's data, nor a
 * tampered cursor reach the database): anything else is an InvalidCursorError (a 400).
 */
import { InvalidCursorError } from './errors.ts';

type Key = Record<string, string | number>;

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/** The position a cursor names (a flat key of strings and numbers), or undefined without a cursor. */
export function decodeCursor(cursor: string | undefined): Key | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor) || cursor.length > 4096) throw new Error('not base64url');
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InvalidCursorError();
  for (const v of Object.values(value)) {
    if (typeof v === 'string' ? v.length === 0 || v.length > 2048 : !(typeof v === 'number' && Number.isFinite(v))) throw new InvalidCursorError();
  }
  return value as Key;
}

/**
 * The position, checked against the listing it is used for: exactly the listing's key attributes, with its partition
 * attributes equal to the listing's own (`partition`). Adapters call this before a position reaches the database.
 */
export function ownPosition(position: Record<string, unknown>, expected: { partition: Record<string, string>; sortKeys: readonly string[] }): Key {
  const names = [...Object.keys(expected.partition), ...expected.sortKeys];
  const keys = Object.keys(position);
  if (keys.length !== names.length || !names.every((name) => name in position)) throw new InvalidCursorError();
  // Every key attribute of the table and its indexes is a string: a number where a string belongs would reach the
  // database as a key of the wrong type.
  for (const name of names) {
    const v = position[name];
    if (typeof v !== 'string' || v.length === 0 || v.length > 2048) throw new InvalidCursorError();
  }
  for (const [name, required] of Object.entries(expected.partition)) if (position[name] !== required) throw new InvalidCursorError();
  return position as Key;
}

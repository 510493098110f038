import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allEvents } from './index.ts';
import { jsonSchemaOf, schemaFileName } from './schemas.ts';

const here = import.meta.dirname;

describe.each(allEvents.map((definition) => [definition.detailType, definition] as const))('event %s', (_, definition) => {
  const file = schemaFileName(definition);

  it('has a committed JSON Schema that matches its zod schema (run `npm run events:schemas` after a change)', () => {
    const committed = JSON.parse(readFileSync(join(here, 'schemas', file), 'utf8')) as unknown;
    expect(committed).toEqual(jsonSchemaOf(definition));
  });

  it('still reads its fixture of this major version field for field: no field removed or retyped', () => {
    const fixturePath = join(here, 'fixtures', file);
    expect(existsSync(fixturePath), `fixture ${file}`).toBe(true);
    const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as unknown;
    // Parsing strips unknown keys, so a field removed from the schema shows up as a difference here.
    expect(definition.envelopeSchema.parse(fixture)).toEqual(fixture);
  });
});

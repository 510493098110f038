import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allEvents } from './index.ts';
import { jsonSchemaOf, schemaFileName } from './schemas.ts';

// `npm run events:schemas`: regenerates events/schemas/*.json from the zod schemas (a test checks they are current).
const dir = join(import.meta.dirname, 'schemas');
for (const definition of allEvents) {
  writeFileSync(join(dir, schemaFileName(definition)), `${JSON.stringify(jsonSchemaOf(definition), null, 2)}\n`);
  console.log(`wrote events/schemas/${schemaFileName(definition)}`);
}

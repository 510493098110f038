import { z } from 'zod';
import type { EventDefinition } from './envelope.ts';

/** The JSON Schema (2020-12) of an event's full detail (`{ metadata, data }`), as published in events/schemas/. */
export function jsonSchemaOf(definition: EventDefinition<z.ZodType>): Record<string, unknown> {
  return {
    $id: `https://open-dom.dev/events/${schemaFileName(definition)}`,
    title: definition.detailType,
    description: definition.description,
    'x-detail-type': definition.detailType,
    'x-version': definition.version,
    ...z.toJSONSchema(definition.envelopeSchema, { target: 'draft-2020-12', io: 'output' }),
  };
}

/** `TenantCreated.v1.json`: one file per event and major version. */
export function schemaFileName(definition: EventDefinition<z.ZodType>): string {
  return `${definition.detailType}.v${definition.version.split('.')[0]}.json`;
}

import { z } from 'zod';

/**
 * Every event the DOM publishes is `{ metadata, data }`. The envelope is versioned with its detail: consumers match
 * on `detail-type` and read `metadata.version` to know which schema `data` follows.
 */
export const metadataSchema = z.object({
  eventId: z.string().min(1),
  version: z.string().regex(/^\d+\.\d+$/),
  occurredAt: z.iso.datetime(),
  tenantId: z.string().min(1),
  correlationId: z.string().min(1),
});

export type EventMetadata = z.infer<typeof metadataSchema>;

export interface DomainEvent<T = unknown> {
  detailType: string;
  metadata: EventMetadata;
  data: T;
}

export interface EventDefinition<S extends z.ZodType> {
  detailType: string;
  /** Major.minor; a field may be added in a minor version, never removed or retyped within a major one. */
  version: string;
  description: string;
  dataSchema: S;
  envelopeSchema: z.ZodObject<{ metadata: typeof metadataSchema; data: S }>;
}

export function defineEvent<S extends z.ZodType>(detailType: string, version: string, description: string, dataSchema: S): EventDefinition<S> {
  return { detailType, version, description, dataSchema, envelopeSchema: z.object({ metadata: metadataSchema, data: dataSchema }) };
}

export function createEvent<S extends z.ZodType>(
  definition: EventDefinition<S>,
  metadata: Omit<EventMetadata, 'version'>,
  data: z.input<S>,
): DomainEvent<z.output<S>> {
  return { detailType: definition.detailType, metadata: { ...metadata, version: definition.version }, data: definition.dataSchema.parse(data) };
}

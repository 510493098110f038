import { TenantCreated } from './tenant-created.ts';

/** Every event the DOM publishes, for schema generation and contract tests. */
export const allEvents = [TenantCreated];

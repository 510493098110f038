import { StockChanged } from './stock-changed.ts';
import { StockLow } from './stock-low.ts';
import { TenantCreated } from './tenant-created.ts';
import { WebhookTest } from './webhook-test.ts';

/** Every event the DOM publishes, for schema generation and contract tests. */
export const allEvents = [TenantCreated, StockChanged, StockLow, WebhookTest];

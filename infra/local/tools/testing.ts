import '../aws-settings.ts';
import { createTenant, type CreatedTenant } from '../../../shared/application/tenants/create-tenant.ts';
import { dynamoTenantStore } from '../../../shared/adapters/dynamodb/tenant-store.ts';
import { randomIds, sha256Secrets, systemClock } from '../../../shared/adapters/system/system.ts';
import { startLocalCloud, useLocalAwsSettings, type LocalCloud, type LocalCloudOptions } from '../cloud.ts';

/** Quiet logs in tests unless asked for: failures still print through vitest's own output. */
const quietLog = { info: () => undefined, warn: () => undefined, error: (message: string, extra?: Record<string, unknown>) => console.error(message, extra) };

/** An in-memory local cloud on free ports, for integration tests; the authorizer cache is the deployed one (60 s). */
export async function startTestCloud(options: Pick<LocalCloudOptions, 'apiInProcess' | 'prioritiseIntake' | 'apiHandlerThreads' | 'dynamodbInProcess' | 'functionThreads'> = {}): Promise<LocalCloud> {
  useLocalAwsSettings();
  process.env.POWERTOOLS_LOG_LEVEL = process.env.DOM_TEST_LOG_LEVEL ?? 'CRITICAL';
  return startLocalCloud({ apiPort: 0, log: quietLog, ...options });
}

export function createTestTenant(name = 'Test Shop'): Promise<CreatedTenant> {
  return createTenant({ tenants: dynamoTenantStore, ids: randomIds, secrets: sha256Secrets, clock: systemClock }, { name });
}

/** Polls until `probe` returns a value (not undefined), or fails after `timeoutMs` with the last error. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}

/** An order as GET /orders/{orderId} answers it, as far as the integration tests read it. */
export interface OrderView {
  orderId: string;
  status: string;
  statusReason?: string;
  allocations: Array<{ locationId: string; sku: string; quantity: number }>;
  backorderedLines: Array<{ sku: string; quantity: number }>;
  shipments: Array<{
    shipmentId: string;
    locationId: string;
    status: string;
    carrier?: string;
    service?: string;
    cost?: number;
    promisedDeliveryDate?: string;
    co2Grams?: number;
    acceptBy?: string;
    delayed?: { at: string; previousPromisedDeliveryDate: string; reason: string };
    lines: Array<{ sku: string; quantity: number }>;
    history: Array<{ status: string; at: string; reason?: string }>;
  }>;
  routing?: { explanation: string[] };
  returns?: Array<{ returnId: string; locationId: string; lines: Array<{ lineId: string; sku: string; quantity: number; restock: boolean }> }>;
  history: Array<{ status: string; reason?: string }>;
}

import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTenant } from '../../../shared/application/tenants/create-tenant.ts';
import { dynamoTenantStore } from '../../../shared/adapters/dynamodb/tenant-store.ts';
import { randomIds, sha256Secrets, systemClock } from '../../../shared/adapters/system/system.ts';

export const DEMO_TENANT_NAME = 'Demo Outfitters';

/**
 * The demo tenant of a local cloud: created once, then reused across restarts. Its key is kept in the data
 * directory (mode 600) so `npm start` can print it again; on AWS a key is shown once and only its digest is stored.
 */
export async function ensureDemoTenant(dataDir: string | undefined): Promise<{ tenantId: string; apiKey: string; created: boolean }> {
  const file = dataDir ? join(dataDir, 'demo-tenant.json') : undefined;
  if (file) {
    const saved = await readFile(file, 'utf8').then((text) => JSON.parse(text) as { tenantId: string; apiKey: string }, () => undefined);
    if (saved && (await dynamoTenantStore.get(saved.tenantId))) return { ...saved, created: false };
  }
  const created = await createTenant({ tenants: dynamoTenantStore, ids: randomIds, secrets: sha256Secrets, clock: systemClock }, { name: DEMO_TENANT_NAME });
  const demo = { tenantId: created.tenantId, apiKey: created.apiKey };
  if (file) {
    await writeFile(file, JSON.stringify(demo, null, 2));
    await chmod(file, 0o600);
  }
  return { ...demo, created: true };
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { tenantNameSchema } from '../../shared/domain/tenants/tenant.ts';

/**
 * `npx dom`: the DOM's small ops CLI.
 *   dom tenant create <name>                      against the running local cloud (found through DOM_DATA_DIR, default .dom)
 *   dom tenant create <name> --aws --table <name> against a deployed stack, with the usual AWS credentials and region
 * Prints JSON on stdout; errors go to stderr with a non-zero exit code.
 */
const USAGE = 'usage: dom tenant create <name> [--aws --table <table name>]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { aws: { type: 'boolean' }, table: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});

async function main(): Promise<void> {
  if (values.help) return void console.log(USAGE);
  const [noun, verb, ...rest] = positionals;
  if (noun !== 'tenant' || verb !== 'create' || rest.length === 0) throw new UsageError(USAGE);
  await configure();
  // Loaded after configure(): the adapters read the table name and endpoints from the environment.
  const { createTenant } = await import('../../shared/application/tenants/create-tenant.ts');
  const { dynamoTenantStore } = await import('../../shared/adapters/dynamodb/tenant-store.ts');
  const { randomIds, sha256Secrets, systemClock } = await import('../../shared/adapters/system/system.ts');
  const name = tenantNameSchema.safeParse(rest.join(' '));
  if (!name.success) throw new UsageError(`name: ${name.error.issues.map((i) => i.message).join('; ')}`);
  const created = await createTenant({ tenants: dynamoTenantStore, ids: randomIds, secrets: sha256Secrets, clock: systemClock }, { name: name.data });
  console.log(JSON.stringify({ tenantId: created.tenantId, apiKey: created.apiKey }));
}

async function configure(): Promise<void> {
  if (values.aws) {
    const table = values.table ?? process.env.TABLE_NAME;
    if (!table) throw new UsageError('--aws needs --table <name> (the DomStateful stack output TableName) or TABLE_NAME');
    process.env.TABLE_NAME = table;
    return;
  }
  const dataDir = process.env.DOM_DATA_DIR ?? '.dom';
  const file = join(dataDir, 'local.json');
  const local = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as { endpoints: { dynamodb: string }; tableName: string; region: string },
    () => {
      throw new UsageError(`No running local cloud found (${file} is missing): start one with \`npm start\`, or pass --aws`);
    },
  );
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoints.dynamodb,
    TABLE_NAME: local.tableName,
    AWS_REGION: local.region,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ error: error instanceof UsageError ? message : `${(error as Error).name}: ${message}` })}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { tenantNameSchema, TENANT_ID_PATTERN } from '../../shared/domain/tenants/tenant.ts';
import { queueUrlEnv, stateMachineArnEnv } from '../../shared/config/names.ts';
import { topology } from '../topology.ts';
import type { QueueLocation } from './ops.ts';

/**
 * `npx dom`: the DOM's small ops CLI. Against the running local cloud (found through DOM_DATA_DIR, default .dom), or
 * with `--aws` against a deployed stack, with the usual AWS credentials and region. Prints JSON on stdout; errors go
 * to stderr as JSON, with exit code 2 for a usage error and 1 for anything else.
 */
const USAGE = `usage:
  dom tenant create <name>
  dom orders get <orderId> --tenant <tenantId>
  dom orders retry <orderId> --tenant <tenantId>
  dom orders cancel <orderId> --tenant <tenantId> [--reason <text>]
  dom dlq list [<queue>]            every queue's dead-letter count; with a queue, up to 10 of its dead letters (left in place)
  dom dlq redrive <queue>           moves the queue's dead letters back to it
  dom reconcile [--tenant <tenantId>] [--dry-run]
  dom simulate --tenant <tenantId> --rules <file.json> --from <ISO> --to <ISO> [--channel <c>]... [--sku <s>]... [--first-attempt-only] [--top N]
                                    the candidate rule sets replayed over the period's recorded decisions, side by side with what was decided
  dom simulate --tenant <tenantId> --shadow --from <ISO> --to <ISO>   what the shadow rule set would have changed
  dom simulate --peak --orders-per-minute <N> --minutes <M> [--url <api> --key <key>]   a synthetic peak through the API, and its KPIs
  dom demand import <file.csv> --tenant <tenantId>   past sales (date,sku,locationId,units) as demand history; sets each day
against a deployed stack: add --aws --outputs <file of \`cdk deploy --outputs-file\`> (or --table <name> / TABLE_NAME,
  ${stateMachineArnEnv('orderFulfillment')}, <QUEUE>_QUEUE_URL and <QUEUE>_DLQ_URL)
queues: ${Object.keys(topology.queues).join(', ')}`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    aws: { type: 'boolean' },
    table: { type: 'string' },
    outputs: { type: 'string' },
    tenant: { type: 'string' },
    reason: { type: 'string' },
    'dry-run': { type: 'boolean' },
    rules: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    channel: { type: 'string', multiple: true },
    sku: { type: 'string', multiple: true },
    'first-attempt-only': { type: 'boolean' },
    top: { type: 'string' },
    shadow: { type: 'boolean' },
    peak: { type: 'boolean' },
    'orders-per-minute': { type: 'string' },
    minutes: { type: 'string' },
    'settle-seconds': { type: 'string' },
    url: { type: 'string' },
    key: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

class UsageError extends Error {}

async function main(): Promise<unknown> {
  if (values.help) return void console.log(USAGE);
  const [noun, verb, ...rest] = positionals;
  const command = `${noun ?? ''} ${verb ?? ''}`.trim();
  switch (command) {
    case 'tenant create': {
      if (rest.length === 0) throw new UsageError(USAGE);
      const name = tenantNameSchema.safeParse(rest.join(' '));
      if (!name.success) throw new UsageError(`name: ${name.error.issues.map((i) => i.message).join('; ')}`);
      await configure();
      // Loaded after configure(): the adapters read the table name and endpoints from the environment.
      const { createTenant } = await import('../../shared/application/tenants/create-tenant.ts');
      const { dynamoTenantStore } = await import('../../shared/adapters/dynamodb/tenant-store.ts');
      const { randomIds, sha256Secrets, systemClock } = await import('../../shared/adapters/system/system.ts');
      const created = await createTenant({ tenants: dynamoTenantStore, ids: randomIds, secrets: sha256Secrets, clock: systemClock }, { name: name.data });
      return void console.log(JSON.stringify({ tenantId: created.tenantId, apiKey: created.apiKey }));
    }
    case 'orders get':
    case 'orders retry':
    case 'orders cancel': {
      const [orderId, ...extra] = rest;
      if (!orderId || extra.length) throw new UsageError(`usage: dom orders ${verb} <orderId> --tenant <tenantId>${verb === 'cancel' ? ' [--reason <text>]' : ''}`);
      const tenantId = tenantOption(true)!;
      await configure();
      const ops = await import('./ops.ts');
      if (verb === 'get') return ops.getOrder(tenantId, orderId);
      if (verb === 'retry') return ops.retryOrderNow(tenantId, orderId);
      return ops.cancelOrderNow(tenantId, orderId, values.reason);
    }
    case 'demand import': {
      const [file, ...extra] = rest;
      if (!file || extra.length) throw new UsageError('usage: dom demand import <file.csv> --tenant <tenantId>');
      const tenantId = tenantOption(true)!;
      const text = await readText(file, `${file}: file not found`);
      await configure();
      const ops = await import('./ops.ts');
      const { HistoryImportError } = await import('../../shared/domain/demand/history-import.ts');
      try {
        return await ops.importDemandHistoryNow(tenantId, text);
      } catch (error) {
        // Bad rows are the caller's to fix: a usage error naming each line and field, nothing written.
        if (error instanceof HistoryImportError) throw new UsageError(`${file}: ${error.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
        throw error;
      }
    }
    case 'dlq list':
    case 'dlq redrive': {
      if (rest.length > 1 || (verb === 'redrive' && rest.length !== 1)) throw new UsageError(`usage: dom dlq ${verb === 'list' ? 'list [<queue>]' : 'redrive <queue>'}`);
      const queues = await configure();
      const ops = await import('./ops.ts');
      if (!rest[0]) return ops.listDeadLetters(queues);
      const queue = queues.find((q) => q.queue === rest[0]);
      if (!queue) throw new UsageError(`no queue ${JSON.stringify(rest[0])}: one of ${queues.map((q) => q.queue).join(', ')}`);
      return verb === 'list' ? ops.peekDeadLetters(queue) : ops.redriveDeadLetters(queue);
    }
    default: {
      if (noun === 'reconcile' && verb === undefined) {
        const tenantId = tenantOption(false);
        await configure();
        const ops = await import('./ops.ts');
        return ops.reconcileNow({ ...(tenantId ? { tenantId } : {}), ...(values['dry-run'] ? { dryRun: true } : {}) });
      }
      if (noun === 'simulate' && verb === undefined) return simulate();
      throw new UsageError(USAGE);
    }
  }
}

/** `dom simulate`: a candidate rule set over a period, the shadow's KPIs (--shadow), or a synthetic peak (--peak). */
async function simulate(): Promise<unknown> {
  const count = (name: 'orders-per-minute' | 'minutes' | 'settle-seconds' | 'top', min: number) => {
    const text = values[name];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name}: must be a number >= ${min}, got ${JSON.stringify(text)}`);
    return n;
  };
  if (values.peak) {
    const ordersPerMinute = count('orders-per-minute', 1);
    const minutes = count('minutes', 0.1);
    if (ordersPerMinute === undefined || minutes === undefined) throw new UsageError('usage: dom simulate --peak --orders-per-minute <N> --minutes <M> [--url <api> --key <key>] [--aws --outputs <file> --key <key>]');
    const { runPeak } = await import('./peak.ts');
    const settleSeconds = count('settle-seconds', 0);
    return runPeak(await apiTarget(), { ordersPerMinute, minutes, ...(settleSeconds !== undefined ? { settleSeconds } : {}), log: (line) => process.stderr.write(`${line}\n`) });
  }
  const tenantId = tenantOption(true)!;
  if (!values.from || !values.to) throw new UsageError('--from <ISO date-time> and --to <ISO date-time> are required');
  if (values.shadow) {
    await configure();
    return (await import('./what-if.ts')).shadowKpisNow(tenantId, values.from, values.to);
  }
  if (!values.rules) throw new UsageError('--rules <file.json> is required: the candidate rule sets, as PUT /routing-rules takes them');
  const text = await readText(values.rules, `--rules ${values.rules}: file not found`);
  let rules: unknown;
  try {
    rules = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--rules ${values.rules}: not JSON (${(error as Error).message})`);
  }
  const top = count('top', 0);
  await configure();
  const whatIf = await import('./what-if.ts');
  try {
    return await whatIf.simulateNow(tenantId, {
      rules,
      from: values.from,
      to: values.to,
      ...(values.channel ? { channels: values.channel } : {}),
      ...(values.sku ? { skus: values.sku } : {}),
      ...(values['first-attempt-only'] ? { firstAttemptOnly: true } : {}),
      ...(top !== undefined ? { top } : {}),
    });
  } catch (error) {
    if (error instanceof whatIf.SimulationInputError) throw new UsageError(error.message);
    throw error;
  }
}

/** The API to drive a peak through: --url and --key, or the local cloud's (local.json), or a stack's ApiUrl output. */
async function apiTarget(): Promise<{ url: string; key: string }> {
  if (values.url) {
    if (!values.key) throw new UsageError('--url needs --key <api key>');
    return { url: values.url.replace(/\/$/, ''), key: values.key };
  }
  if (values.aws) {
    if (!values.outputs || !values.key) throw new UsageError('--peak --aws needs --outputs <file> (for ApiUrl) and --key <api key>, or --url and --key');
    const outputs = Object.assign({}, ...Object.values(JSON.parse(await readText(values.outputs, `--outputs ${values.outputs}: file not found`)) as Record<string, Record<string, string>>)) as Record<string, string>;
    if (!outputs.ApiUrl) throw new UsageError(`--outputs ${values.outputs}: no ApiUrl output`);
    return { url: outputs.ApiUrl.replace(/\/$/, ''), key: values.key };
  }
  const file = join(process.env.DOM_DATA_DIR ?? '.dom', 'local.json');
  const local = JSON.parse(await readText(file, `No running local cloud found (${file} is missing): start one with \`npm start\`, or pass --url and --key`)) as { apiUrl: string; demoApiKey: string };
  return { url: local.apiUrl, key: values.key ?? local.demoApiKey };
}

function tenantOption(required: boolean): string | undefined {
  const tenantId = values.tenant;
  if (tenantId === undefined && required) throw new UsageError('--tenant <tenantId> is required');
  if (tenantId !== undefined && !TENANT_ID_PATTERN.test(tenantId)) throw new UsageError(`--tenant: not a tenant id: ${JSON.stringify(tenantId)}`);
  return tenantId;
}

/** Points the adapters at the cloud (environment variables) and answers where the queues are. */
async function configure(): Promise<QueueLocation[]> {
  const queueIds = Object.keys(topology.queues);
  if (values.aws) {
    // `cdk deploy --outputs-file`: { <stack name>: { <output>: <value> } }, the stacks' outputs merged.
    const outputs: Record<string, string> = values.outputs
      ? Object.assign({}, ...Object.values(JSON.parse(await readText(values.outputs, `--outputs ${values.outputs}: file not found`)) as Record<string, Record<string, string>>))
      : {};
    const table = values.table ?? outputs.TableName ?? process.env.TABLE_NAME;
    if (!table) throw new UsageError('--aws needs --table <name> or --outputs <file> (the DomStateful stack output TableName), or TABLE_NAME');
    process.env.TABLE_NAME = table;
    const fulfillment = outputs.OrderFulfillmentStateMachineArn;
    if (fulfillment) process.env[stateMachineArnEnv('orderFulfillment')] ??= fulfillment;
    return queueIds.flatMap((queue) => {
      const pascal = queue.charAt(0).toUpperCase() + queue.slice(1);
      const url = outputs[`${pascal}QueueUrl`] ?? process.env[queueUrlEnv(queue)];
      const dlqUrl = outputs[`${pascal}DlqUrl`] ?? process.env[queueUrlEnv(queue).replace(/_QUEUE_URL$/, '_DLQ_URL')];
      return url && dlqUrl ? [{ queue, url, dlqUrl }] : [];
    });
  }
  const dataDir = process.env.DOM_DATA_DIR ?? '.dom';
  const file = join(dataDir, 'local.json');
  const local = JSON.parse(await readText(file, `No running local cloud found (${file} is missing): start one with \`npm start\`, or pass --aws`)) as {
    endpoints: { dynamodb: string; sqs: string; sfn: string };
    tableName: string;
    region: string;
    queues?: Record<string, { url: string; dlqUrl: string }>;
    stateMachines?: Record<string, string>;
  };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: local.endpoints.sqs,
    AWS_ENDPOINT_URL_SFN: local.endpoints.sfn,
    TABLE_NAME: local.tableName,
    AWS_REGION: local.region,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(local.stateMachines?.orderFulfillment ? { [stateMachineArnEnv('orderFulfillment')]: local.stateMachines.orderFulfillment } : {}),
  });
  return Object.entries(local.queues ?? {}).map(([queue, { url, dlqUrl }]) => ({ queue, url, dlqUrl }));
}

function readText(file: string, missing: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => {
    throw new UsageError(missing);
  });
}

main()
  .then((result) => {
    if (result !== undefined) console.log(JSON.stringify(result, null, 2));
  })
  .catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${JSON.stringify({ error: error instanceof UsageError ? message : `${(error as Error).name}: ${message}` })}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });

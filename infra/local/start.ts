import { DomApi } from './tools/api-client.ts';
import './aws-settings.ts';
import { mkdir, rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startLocalCloud, writeLocalJson } from './cloud.ts';
import { missingLocalCloudNodeFlags } from './node-flags.ts';
import { DEMO_LOCATIONS, DEMO_SKUS, describeSeed, seedDemoNetwork } from './tools/demo-network.ts';
import { ensureDemoTenant } from './tools/demo-tenant.ts';
import { prettifyStdout } from './tools/pretty-log.ts';

/**
 * `npm start`: the whole DOM on this machine. Honours PORT (default 3000), DOM_DATA_DIR (default .dom) and
 * DOM_FUNCTION_THREADS (threads of background handlers, default 0: on the main thread; see LocalCloudOptions), writes
 * $DOM_DATA_DIR/local.json once ready, and stops cleanly on SIGINT/SIGTERM.
 */
const { values: flags } = parseArgs({
  options: {
    pretty: { type: 'boolean' },
    json: { type: 'boolean' },
    'in-memory': { type: 'boolean' },
  },
});

const started = Date.now();
const missingFlags = missingLocalCloudNodeFlags();
if (missingFlags.length > 0) {
  process.stderr.write(`  Started without ${missingFlags.join(' ')} (npm start passes it): on a small machine V8's background threads compete with intake.\n`);
}
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${process.env.PORT}`);
const dataDir = process.env.DOM_DATA_DIR ?? '.dom';
if (flags.pretty || (!flags.json && process.stdout.isTTY)) prettifyStdout();

const functionThreads = Number(process.env.DOM_FUNCTION_THREADS ?? 0);
if (!Number.isInteger(functionThreads) || functionThreads < 0 || functionThreads > 16) throw new Error(`DOM_FUNCTION_THREADS must be 0-16, not ${process.env.DOM_FUNCTION_THREADS}`);
const cloud = await startLocalCloud({ apiPort: port, prioritiseIntake: true, functionThreads, ...(flags['in-memory'] ? {} : { dataDir }) }).catch((error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE') throw error;
  process.stderr.write(`\n  Port ${port} is in use (another npm start?): stop it, or choose another with PORT=3001 npm start\n\n`);
  process.exit(1);
});
const demo = await ensureDemoTenant(flags['in-memory'] ? undefined : dataDir);
// Only when the demo tenant is new: its stock then belongs to whoever plays with it, and restarts must not reset it.
const network = demo.created
  ? describeSeed(await seedDemoNetwork(new DomApi(cloud.apiUrl, demo.apiKey)))
  : `${DEMO_LOCATIONS.length} locations, ${DEMO_SKUS.length} SKUs (seeded when the demo tenant was created)`;
await mkdir(dataDir, { recursive: true });
const localJson = await writeLocalJson(dataDir, {
  apiUrl: cloud.apiUrl,
  demoApiKey: demo.apiKey,
  demoTenantId: demo.tenantId,
  region: 'us-east-1',
  endpoints: cloud.endpoints,
  tableName: cloud.tableName,
  busName: cloud.busName,
  queues: cloud.queueUrls,
  stateMachines: cloud.stateMachineArns,
  pid: process.pid,
});

process.stderr.write(
  [
    '',
    `  DOM local cloud ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  API:          ${cloud.apiUrl}`,
    `  Demo API key: ${demo.apiKey}`,
    `  Ops console:  ${cloud.apiUrl}/_ops/  (connect with the demo key)`,
    `  Demo network: ${network}`,
    `  Try:          curl -H "Authorization: Bearer ${demo.apiKey}" ${cloud.apiUrl}/tenant`,
    `  Endpoints:    ${localJson}  (DynamoDB ${cloud.endpoints.dynamodb}, SQS ${cloud.endpoints.sqs}, EventBridge ${cloud.endpoints.events}, Step Functions ${cloud.endpoints.sfn})`,
    `  Data:         ${flags['in-memory'] ? 'in memory' : dataDir}`,
    '',
    '',
  ].join('\n'),
);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\n  ${signal}: stopping the local cloud...\n`);
  await cloud.close();
  // A local.json left behind would point tools at endpoints that are gone.
  await rm(localJson, { force: true });
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

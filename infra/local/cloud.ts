import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { deadLetterQueueUrlEnv, ENV, queueUrlEnv, stateMachineArnEnv, topology, type FunctionId, type QueueId, type StateMachineId } from '../topology.ts';
export { useLocalAwsSettings } from './cloud-settings.ts';
import { startLocalApiGateway } from './api-gateway/index.ts';
import { startApiGatewayWorker } from './api-gateway/api-worker.ts';
import { buildOpsConsole, OPS_CONSOLE_PATH } from '../ops-console/build.ts';
import { ACCOUNT_ID, BUS_NAME, REGION, REPO_ROOT, TABLE_NAME, localName } from './constants.ts';
import { startLocalDynamoDb, type LocalDynamoDb } from './dynamodb/index.ts';
import { startLocalDynamoDbWorker } from './dynamodb/worker.ts';
import { compactWhenIdle, threadHeap, type ThreadHeap } from './heap.ts';
import { startLocalEventBridge, type LocalEventBridge, type LocalRule } from './eventbridge/index.ts';
import { functionArn, LocalLambdaRuntime } from './lambda/lambda-runtime.ts';
import { lowerThisThreadsPriority, startHandlerThread, type HandlerThread } from './lambda/handler-threads.ts';
import { startQueuePoller, startStreamPoller, type Poller } from './pollers/index.ts';
import { startLocalSqs, type LocalSqs } from './sqs/index.ts';
import { startLocalStepFunctions, substituteDefinition, type LocalStepFunctions } from './stepfunctions/index.ts';

export interface LocalCloudOptions {
  /** The API's port; 0 picks a free one. */
  apiPort?: number;
  /** Where the table, stream, executions and checkpoints persist; undefined keeps everything in memory (tests). */
  dataDir?: string;
  /**
   * Run the API gateway and its handlers on this thread instead of a worker thread. On a worker, requests are answered
   * by their own event loop while the workflows keep this one busy (handlers of routes run there, everything else here).
   */
  apiInProcess?: boolean;
  /** Run the DynamoDB endpoint on this thread instead of a worker thread (the worker uses the machine's second core). */
  dynamodbInProcess?: boolean;
  /** Seconds an authorizer decision is cached, as on the deployed API (tests use 0 to see key changes at once). */
  authorizerCacheSeconds?: number;
  /**
   * Threads that run the API's route handlers when the API has its own thread (default 1: the gateway's thread). With
   * more, the gateway's thread hands each invocation to the least busy of itself and the others, as API Gateway spreads
   * requests over Lambda instances. On two cores one is better (measured at 300 orders/s offered: p99 112 ms with one,
   * 247 ms with two, each extra thread ~60 MiB resident); it is there for machines with cores to spare.
   */
  apiHandlerThreads?: number;
  /**
   * Serve intake before background work (workflows, bus, queues, stream consumers) when the machine is saturated. On
   * AWS intake and background work scale apart; on two cores a burst of orders would otherwise share the CPU, and
   * the DynamoDB thread's queue, with the workflows it starts, and accepting would slow down. The workflows catch up
   * when the burst ends. Two parts, both only with the API and DynamoDB on threads of their own:
   * - once they have started, this thread's scheduling priority is lowered (nice +10, Linux); threads and processes
   *   started from it afterwards inherit the lower priority;
   * - the API's handlers reach DynamoDB on a port of their own whose requests start ahead of the others' backlog.
   * `npm start` sets it; tests do not (a test waits on the workflows it starts).
   */
  prioritiseIntake?: boolean;
  /**
   * Threads that run the handlers of everything but the API (workflow tasks, stream and queue consumers, schedules);
   * 0 (the default) runs them on this thread, beside the workflow engine, the bus and the pollers. Each thread has its
   * own module instances, as each Lambda instance has, and costs ~60 MiB. For machines with cores to spare: on two
   * cores the whole process's CPU per order binds, not this thread, and a thread costs more than it frees (bench:orders
   * on a quiet machine, 2026-12-03: 59-61 routed orders/s at 35 ms of CPU an order with one, 63/s at 32 ms without).
   */
  functionThreads?: number;
  log?: CloudLog;
}

export interface CloudLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface LocalCloudEndpoints {
  dynamodb: string;
  /** The API handlers' own DynamoDB endpoint, served ahead of the others' backlog (with `prioritiseIntake`). */
  dynamodbIntake?: string;
  dynamodbStreams: string;
  sqs: string;
  events: string;
  sfn: string;
}

export interface LocalCloud {
  apiUrl: string;
  endpoints: LocalCloudEndpoints;
  tableName: string;
  busName: string;
  queueUrls: LocalSqs['queueUrls'];
  stateMachineArns: Record<StateMachineId, string>;
  runtime: LocalLambdaRuntime;
  /** Events the bus has accepted since start. */
  eventsAccepted(): number;
  /** Executions of a state machine started since start. */
  executionsStarted(id: StateMachineId): number;
  /** Events each bus rule matched, delivered and failed to deliver since start. */
  ruleStats(): ReturnType<LocalEventBridge['stats']>;
  /** Resolves when the bus, the workflows and the pollers have nothing in flight. */
  settle(): Promise<void>;
  sweepTtl(): Promise<number>;
  /** Each thread's JavaScript heap: main, and the DynamoDB and API workers when they run on their own threads. */
  heap(): Promise<Record<string, ThreadHeap>>;
  /** Runs a topology schedule now (they also run on their timers). */
  runSchedule(name: string): Promise<unknown>;
  close(): Promise<void>;
}

const consoleLog: CloudLog = {
  info: (message, extra) => console.log(JSON.stringify({ level: 'INFO', service: 'local-cloud', message, ...extra })),
  warn: (message, extra) => console.log(JSON.stringify({ level: 'WARN', service: 'local-cloud', message, ...extra })),
  error: (message, extra) => console.log(JSON.stringify({ level: 'ERROR', service: 'local-cloud', message, ...extra })),
};

/**
 * V8 grows a busy heap up to four times what survived its last full collection, and the local cloud's threads keep
 * allocating (pollers, timers), so it never idles long enough to shrink back: 3,000 orders left the process at 1.05 GiB
 * resident with 150 MiB live in the main thread's 420 MiB heap. Growing by half instead held it at 0.72 GiB for a few
 * per cent of throughput. The flag is process-wide and set before the worker threads start; a process that chose its
 * own value on the command line keeps it.
 */
const HEAP_GROWING_PERCENT = 50;

function boundHeapGrowth(): void {
  if (process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/**
 * The main thread's niceness when intake is prioritised: it runs the workflows, the bus and the pollers, whose work can
 * wait, while the API and DynamoDB threads answer merchants. At 10 (CFS weight 110 against 1,024) routing still took
 * enough of the two cores to push intake behind an offered 300 orders/s: with one V8 helper thread, accept p99 130-1,066
 * ms in five runs; at 19 (weight 15) 79-369 ms in five, with routing as fast (docs/demo-and-benchmarks.md, 2026-12-04). When intake is idle the nice
 * value changes nothing: there is nobody to yield to.
 */
export const BACKGROUND_NICE = 19;

function lowerBackgroundPriority(log: CloudLog): void {
  const outcome = lowerThisThreadsPriority(BACKGROUND_NICE);
  if (outcome === 'unsupported') log.info('Intake priority needs Linux thread priorities; running without it');
  else if (outcome !== 'lowered') log.warn('Could not lower the background thread priority', { error: outcome.failed });
}

/** The handlers of API routes (and their authorizer): with the API on its own thread, they run there. */
const routeFunctions = () => new Set<FunctionId>([...topology.routes.map((r) => r.function), 'authorizeRequest']);
/** Where function threads start: a thread that serves the invocations this one sends it. */
const FUNCTION_THREAD_ENTRY = new URL('./lambda/function-thread-entry.mjs', import.meta.url);

export function stateMachineArn(id: StateMachineId): string {
  return `arn:aws:states:${REGION}:${ACCOUNT_ID}:stateMachine:${localName(id)}`;
}

/**
 * The embedded local cloud: every service of the topology on loopback, speaking the AWS wire protocols, wired from
 * infra/topology.ts exactly as the CDK app wires AWS. Handlers run in this process, unchanged, with the AWS SDK
 * pointed here by the standard AWS_ENDPOINT_URL_* variables.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const log = options.log ?? consoleLog;
  boundHeapGrowth();
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const closers: Array<() => Promise<void>> = [];
  try {
    const intakeFirst = Boolean(options.prioritiseIntake && !options.apiInProcess && !options.dynamodbInProcess);
    const dynamodbOptions = { ...(dataDir ? { dataDir: join(dataDir, 'dynamodb') } : {}), priorityEndpoint: intakeFirst };
    const dynamodb: LocalDynamoDb & { heap?(): Promise<ThreadHeap> } = options.dynamodbInProcess
      ? await startLocalDynamoDb(dynamodbOptions)
      : await startLocalDynamoDbWorker(dynamodbOptions);
    closers.push(() => dynamodb.close());
    const sqs: LocalSqs = await startLocalSqs(topology.queues, dataDir ? { dataDir: join(dataDir, 'sqs') } : {});
    closers.push(() => sqs.close());
    const stateMachineArns = Object.fromEntries(
      (Object.keys(topology.stateMachines) as StateMachineId[]).map((id) => [id, stateMachineArn(id)]),
    ) as Record<StateMachineId, string>;

    setEnvironment({
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      [ENV.tableName]: TABLE_NAME,
      [ENV.busName]: BUS_NAME,
      // Webhooks may target http://127.0.0.1 here (tests, demos); on AWS only public https URLs are accepted.
      [ENV.webhookAllowInsecureLoopback]: 'true',
      ...Object.fromEntries(Object.entries(sqs.queueUrls).map(([id, q]) => [queueUrlEnv(id), q.url])),
      ...Object.fromEntries(Object.entries(sqs.queueUrls).map(([id, q]) => [deadLetterQueueUrlEnv(id), q.dlqUrl])),
      ...Object.fromEntries(Object.entries(stateMachineArns).map(([id, arn]) => [stateMachineArnEnv(id), arn])),
    });
    await ensureTable();

    const runtime = new LocalLambdaRuntime();
    const invoke = (id: FunctionId, event: unknown) => runtime.invoke(id, event);
    // Started below, after the bus (its tasks publish events); a rule's delivery before that is retried.
    let stepFunctions: LocalStepFunctions | undefined;
    const sqsClient = new SQSClient({});
    const rules: LocalRule[] = Object.entries(topology.rules).map(([name, rule]) => ({
      name,
      pattern: rule.pattern,
      targets: rule.targets.map((target, index) => ({
        id: `${name}-${index}`,
        deliver: async (event) => {
          // The services' own entry points, as AWS's targets call them (no HTTP round trip inside one process).
          if (target.kind === 'stateMachine') {
            if (!stepFunctions) throw new Error('Step Functions is not started yet');
            stepFunctions.start(stateMachineArns[target.stateMachine], JSON.stringify(event));
          } else if (target.kind === 'function') {
            await invoke(target.function, event);
          } else {
            sqs.send(target.queue, JSON.stringify(event));
          }
        },
      })),
    }));
    const events: LocalEventBridge = await startLocalEventBridge({
      busName: BUS_NAME,
      region: REGION,
      accountId: ACCOUNT_ID,
      rules,
      // Events a crash left undelivered go out again once the targets' services are up (below).
      ...(dataDir ? { dataDir: join(dataDir, 'eventbridge'), deferRedelivery: true } : {}),
      onDeliveryFailure: async (failure) => {
        log.error('Event delivery failed after retries; sent to the dead-letter queue', { rule: failure.rule, target: failure.target, error: String(failure.error) });
        await sqsClient.send(
          new SendMessageCommand({
            QueueUrl: sqs.queueUrls[topology.ruleTargetDeadLetterQueue].url,
            MessageBody: JSON.stringify(failure.event),
            MessageAttributes: {
              RULE_ARN: { DataType: 'String', StringValue: failure.rule },
              TARGET_ARN: { DataType: 'String', StringValue: failure.target },
              ERROR_MESSAGE: { DataType: 'String', StringValue: String(failure.error).slice(0, 256) },
            },
          }),
        );
      },
    });
    closers.push(() => events.close());
    setEnvironment({ AWS_ENDPOINT_URL_EVENTBRIDGE: events.endpoint });

    stepFunctions = await startLocalStepFunctions({
      region: REGION,
      accountId: ACCOUNT_ID,
      stateMachines: await Promise.all(
        (Object.keys(topology.stateMachines) as StateMachineId[]).map(async (id) => ({
          name: stateMachineArns[id].split(':').pop()!,
          arn: stateMachineArns[id],
          type: topology.stateMachines[id].type,
          definition: substituteDefinition(await readFile(join(REPO_ROOT, topology.stateMachines[id].definitionFile), 'utf8'), substitutionsOf(id, sqs)),
        })),
      ),
      invokeFunction: (arn, payload) => invoke(runtime.resolve(arn), payload),
      ...(dataDir ? { dataDir: join(dataDir, 'stepfunctions') } : {}),
      // Executions a crash or a stop interrupted are redriven once the handlers' environment is complete (below).
      deferResume: true,
      onExecutionFinished: (e) => {
        if (e.status !== 'SUCCEEDED') log.warn('Workflow execution did not succeed', { ...e });
      },
    });
    closers.push(() => stepFunctions.close());
    setEnvironment({ AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint });

    // Every endpoint is in the environment now: handler modules build their SDK clients when they load.
    const functionThreads = await startFunctionThreads(options, runtime, intakeFirst);
    closers.push(async () => void (await Promise.all(functionThreads.map((thread) => thread.close()))));
    await runtime.warm((Object.keys(topology.functions) as FunctionId[]).filter((id) => !runtime.runsElsewhere(id)));
    const pollers: Poller[] = [
      ...Object.entries(topology.streamMappings).map(([name, mapping]) =>
        startStreamPoller({
          name,
          tableName: TABLE_NAME,
          mapping,
          onFailureQueueUrl: sqs.queueUrls[mapping.onFailure].url,
          invoke,
          ...(dataDir ? { checkpointDir: dataDir } : {}),
          onStreamRecords: (listener) => dynamodb.onStreamRecords(listener),
          log,
        }),
      ),
      ...Object.entries(topology.queueMappings).map(([name, mapping]) =>
        startQueuePoller({ name, queueUrl: sqs.queueUrls[mapping.queue].url, queueArn: sqs.queueUrls[mapping.queue].arn, mapping, invoke, log }),
      ),
    ];
    closers.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });
    const redriven = stepFunctions.resumeInterrupted();
    const redelivered = events.redeliverPending();
    if (redriven + redelivered > 0) log.info('Recovered work interrupted by the last stop', { redrivenExecutions: redriven, redeliveredEvents: redelivered });

    // Schedules: EventBridge Scheduler on AWS, a timer here, with the same scheduled-event shape.
    const runSchedule = async (name: string) => {
      const schedule = topology.schedules[name];
      if (!schedule) throw new Error(`No schedule ${name} in the topology`);
      return invoke(schedule.function, { version: '0', id: crypto.randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.scheduler', account: ACCOUNT_ID, time: new Date().toISOString(), region: REGION, resources: [], detail: {} });
    };
    const timers = Object.entries(topology.schedules).map(([name, schedule]) =>
      setInterval(() => {
        runSchedule(name).catch((error: unknown) => log.error('Scheduled run failed', { schedule: name, error: String(error) }));
      }, schedule.rateMinutes * 60_000).unref(),
    );
    closers.push(async () => timers.forEach(clearInterval));

    const gatewayOptions = { ...(options.apiPort !== undefined ? { port: options.apiPort } : {}), authorizerCacheSeconds: options.authorizerCacheSeconds ?? 60 };
    const api: { url: string; heap?(): Promise<Record<string, ThreadHeap>>; close(): Promise<void> } = options.apiInProcess
      ? await startLocalApiGateway({ ...gatewayOptions, routes: topology.routes, authorizer: 'authorizeRequest', invoke, staticSites: { [OPS_CONSOLE_PATH]: () => buildOpsConsole() } })
      : await startApiGatewayWorker({
          ...gatewayOptions,
          handlerThreads: options.apiHandlerThreads ?? 1,
          ...(dynamodb.priorityEndpoint ? { environment: { AWS_ENDPOINT_URL_DYNAMODB: dynamodb.priorityEndpoint } } : {}),
        });
    closers.push(() => api.close());
    // Every thread gives back the heap a burst grew once it has gone quiet (the workers do the same on their own).
    const stopCompacting = compactWhenIdle();
    closers.push(async () => stopCompacting());
    // Only when intake runs elsewhere: with the API or DynamoDB on this thread, lowering it would slow intake too.
    if (intakeFirst) lowerBackgroundPriority(log);

    let closed = false;
    return {
      apiUrl: api.url,
      endpoints: {
        dynamodb: dynamodb.endpoint,
        ...(dynamodb.priorityEndpoint ? { dynamodbIntake: dynamodb.priorityEndpoint } : {}),
        dynamodbStreams: dynamodb.endpoint,
        sqs: sqs.endpoint,
        events: events.endpoint,
        sfn: stepFunctions.endpoint,
      },
      tableName: TABLE_NAME,
      busName: BUS_NAME,
      queueUrls: sqs.queueUrls,
      stateMachineArns,
      runtime,
      eventsAccepted: () => events.accepted(),
      ruleStats: () => events.stats(),
      executionsStarted: (id) => stepFunctions!.executionsStarted(stateMachineArns[id]),
      async settle() {
        // Each stage can feed the next (stream -> bus -> workflow -> table -> stream), so go round until all are quiet.
        for (let round = 0; round < 3; round++) {
          await Promise.all(pollers.map((p) => p.drained()));
          await events.idle();
          await stepFunctions.idle();
        }
      },
      sweepTtl: () => dynamodb.sweepTtl(),
      heap: async () => ({
        main: threadHeap(),
        ...(dynamodb.heap ? { dynamodb: await dynamodb.heap() } : {}),
        ...(api.heap ? await api.heap() : {}),
        ...Object.fromEntries(await Promise.all(functionThreads.map(async (thread, i) => [`functions-${i + 1}`, await thread.ask<ThreadHeap>('heap')]))),
      }),
      runSchedule,
      async close() {
        if (closed) return;
        closed = true;
        await closeAll(closers);
      },
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

/** The functions whose invocations go to function threads: all but the API's (on its thread, or on this one). */
function backgroundFunctions(): Set<FunctionId> {
  const api = routeFunctions();
  return new Set((Object.keys(topology.functions) as FunctionId[]).filter((id) => !api.has(id)));
}

async function startFunctionThreads(options: LocalCloudOptions, runtime: LocalLambdaRuntime, intakeFirst: boolean): Promise<HandlerThread[]> {
  const count = options.functionThreads ?? 0;
  if (count <= 0) return [];
  const functions = backgroundFunctions();
  // Background work: with intake first, each thread lowers its own priority before anything runs on it.
  const threads = await Promise.all(
    Array.from({ length: count }, () => startHandlerThread(FUNCTION_THREAD_ENTRY, { warm: [...functions], ...(intakeFirst ? { nice: BACKGROUND_NICE } : {}) })),
  );
  runtime.runOn(threads, functions);
  return threads;
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of closers.reverse()) {
    await close().catch(() => undefined);
  }
}

function substitutionsOf(id: StateMachineId, sqs: LocalSqs): Record<string, string> {
  return Object.fromEntries(
    Object.entries(topology.stateMachines[id].substitutions).map(([placeholder, source]) => {
      if ('functionArn' in source) return [placeholder, functionArn(source.functionArn)];
      if ('queueUrl' in source) return [placeholder, sqs.queueUrls[source.queueUrl as QueueId].url];
      if ('busName' in source) return [placeholder, BUS_NAME];
      return [placeholder, TABLE_NAME];
    }),
  );
}

function setEnvironment(values: Record<string, string>): void {
  Object.assign(process.env, values);
}

/** Creates the table as the stateful stack defines it, unless the data directory already holds it. */
async function ensureTable(): Promise<void> {
  const client = new DynamoDBClient({});
  const { table } = topology;
  try {
    await client.send(new DescribeTableCommand({ TableName: TABLE_NAME }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const attributes = new Set<string>([table.partitionKey, table.sortKey, ...table.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey])]);
  await client.send(
    new CreateTableCommand({
      TableName: TABLE_NAME,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      StreamSpecification: { StreamEnabled: true, StreamViewType: table.streamViewType },
    }),
  );
  await client.send(new UpdateTimeToLiveCommand({ TableName: TABLE_NAME, TimeToLiveSpecification: { Enabled: true, AttributeName: table.ttlAttribute } }));
  client.destroy();
}

export async function writeLocalJson(dataDir: string, contents: unknown): Promise<string> {
  const path = join(resolve(dataDir), 'local.json');
  await writeFile(path, `${JSON.stringify(contents, null, 2)}\n`);
  return path;
}

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from './execution-store.ts';
import { startLocalStepFunctions, type LocalStepFunctions, type LocalStepFunctionsOptions } from './index.ts';
import { answer, restartMachine, RESTART_MACHINE_ARN } from './testing/restart-machine.ts';

const CHILD = fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url));
const executionArn = (name: string) => `${RESTART_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-sfn-restart-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the child until the Task `blockAt` is called, then kills it with SIGKILL: no close(), no flush, as a crash. */
async function crashWhileIn(blockAt: string, dataDir: string, name: string): Promise<string[]> {
  const callsFile = join(dataDir, 'calls-before-crash.txt');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, callsFile, blockAt, name], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('blocked')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before reaching ${blockAt}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return readFileSync(callsFile, 'utf8').split('\n').filter(Boolean);
}

async function restart(dataDir: string, extra: Partial<LocalStepFunctionsOptions> = {}) {
  const calls: string[] = [];
  const sfn: LocalStepFunctions = await startLocalStepFunctions({
    stateMachines: [restartMachine],
    dataDir,
    invokeFunction: async (functionArn, payload) => {
      const call = answer(functionArn, payload);
      calls.push(call.label);
      return call.result;
    },
    ...extra,
  });
  cleanups.push(() => sfn.close());
  const client = new SFNClient({ region: 'us-east-1', endpoint: sfn.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return { sfn, client, calls };
}

async function historyTypes(client: SFNClient, arn: string): Promise<string[]> {
  const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }));
  return (events ?? []).map((e) => e.type!);
}

describe('local Step Functions after a crash', () => {
  it('redrives a killed execution at the Task it was in, without re-running the Tasks it had finished', async () => {
    const dataDir = tempDir();
    const before = await crashWhileIn('confirm', dataDir, 'order-1');

    const { sfn, client, calls } = await restart(dataDir);
    await sfn.idle();
    const execution = await client.send(new DescribeExecutionCommand({ executionArn: executionArn('order-1') }));

    expect(before).toEqual(['plan', 'reserve', 'rate:a', 'rate:b', 'rate:c', 'confirm']);
    expect(calls).toEqual(['confirm']);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', name: 'order-1', redriveCount: 1 });
    expect(JSON.parse(execution.output!).confirmation.value).toEqual({ orderId: 'order-1', rated: 3, startedWith: 'order-1' });
  });

  it('runs a Map state again whole when the execution was killed inside it', async () => {
    const dataDir = tempDir();
    await crashWhileIn('rate:b', dataDir, 'order-2');

    const { sfn, client, calls } = await restart(dataDir);
    await sfn.idle();
    const execution = await client.send(new DescribeExecutionCommand({ executionArn: executionArn('order-2') }));

    expect([...calls].sort()).toEqual(['confirm', 'rate:a', 'rate:b', 'rate:c']);
    expect(execution.status).toBe('SUCCEEDED');
  });

  it('records the redrive in the history, after the events of the first run', async () => {
    const dataDir = tempDir();
    await crashWhileIn('confirm', dataDir, 'order-3');

    const { sfn, client } = await restart(dataDir);
    await sfn.idle();
    const types = await historyTypes(client, executionArn('order-3'));

    const redriven = types.indexOf('ExecutionRedriven');
    expect(types.slice(0, 2)).toEqual(['ExecutionStarted', 'TaskStateEntered']);
    expect(redriven).toBeGreaterThan(types.indexOf('MapStateExited'));
    expect(types.slice(redriven + 1, redriven + 2)).toEqual(['TaskStateEntered']);
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
  });

  it('keeps a redriven execution running under its name, so a retried StartExecution with the same input answers it', async () => {
    const dataDir = tempDir();
    await crashWhileIn('confirm', dataDir, 'order-4');

    const { sfn, client, calls } = await restart(dataDir, { deferResume: true });
    const retried = await client.send(
      new StartExecutionCommand({ stateMachineArn: RESTART_MACHINE_ARN, name: 'order-4', input: JSON.stringify({ orderId: 'order-4', lines: ['a', 'b', 'c'] }) }),
    );
    const resumed = sfn.resumeInterrupted();
    await sfn.idle();

    expect(retried.executionArn).toBe(executionArn('order-4'));
    expect(resumed).toBe(1);
    expect(calls).toEqual(['confirm']);
  });

  it('runs an execution again from the start when its journal holds no state it entered', async () => {
    const dataDir = tempDir();
    const arn = executionArn('order-5');
    const input = JSON.stringify({ orderId: 'order-5', lines: ['a'] });
    // What an older journal (or a kill before the first state entry reached the file) leaves: the start alone.
    const started = { executionArn: arn, stateMachineArn: RESTART_MACHINE_ARN, name: 'order-5', status: 'RUNNING', input, startDate: Date.now(), events: [] };
    writeFileSync(join(dataDir, JOURNAL_FILE), `${JSON.stringify({ kind: 'started', record: started })}\n`);

    const { sfn, client, calls } = await restart(dataDir);
    await sfn.idle();
    const execution = await client.send(new DescribeExecutionCommand({ executionArn: arn }));

    expect(calls).toEqual(['plan', 'reserve', 'rate:a', 'confirm']);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
  });

  it('redrives after a clean close too, since a stopped local cloud must not strand what a crash would not', async () => {
    const dataDir = tempDir();
    let release!: () => void;
    const first = await startLocalStepFunctions({
      stateMachines: [restartMachine],
      dataDir,
      invokeFunction: async (functionArn, payload) => {
        const call = answer(functionArn, payload);
        if (call.label === 'reserve') await new Promise<void>((resolve) => (release = resolve));
        return call.result;
      },
    });
    const firstClient = new SFNClient({ region: 'us-east-1', endpoint: first.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await firstClient.send(new StartExecutionCommand({ stateMachineArn: RESTART_MACHINE_ARN, name: 'order-6', input: JSON.stringify({ orderId: 'order-6', lines: ['a'] }) }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await first.close();
    release();

    const { sfn, client, calls } = await restart(dataDir);
    await sfn.idle();
    const execution = await client.send(new DescribeExecutionCommand({ executionArn: executionArn('order-6') }));

    expect(calls).toEqual(['reserve', 'rate:a', 'confirm']);
    expect(execution.status).toBe('SUCCEEDED');
  });
});

describe('the local Step Functions journal', () => {
  it('is rewritten as it grows, down to the running executions and the finished ones it keeps', async () => {
    const dataDir = tempDir();
    const compactMinBytes = 32 * 1024;
    const { sfn, client } = await restart(dataDir, { journalCompactMinBytes: compactMinBytes, finishedExecutionsKept: 5 });
    const journal = join(dataDir, JOURNAL_FILE);
    const lines = Array.from({ length: 10 }, (_, i) => `line-${i}`);

    const sizes: number[] = [statSync(journal).size];
    for (let n = 0; n < 100; n++) {
      await client.send(new StartExecutionCommand({ stateMachineArn: RESTART_MACHINE_ARN, name: `grow-${n}`, input: JSON.stringify({ orderId: `grow-${n}`, lines }) }));
      await sfn.idle();
      await new Promise((resolve) => setImmediate(resolve));
      sizes.push(statSync(journal).size);
    }

    const perExecution = sizes[1]! - sizes[0]!;
    const largest = Math.max(...sizes);
    // A rewrite leaves the kept executions; the file then grows by at most as much again (or the threshold) before the
    // next one. Without rewrites it would hold all 100.
    const live = 5 * perExecution;
    expect(largest).toBeLessThanOrEqual(live + Math.max(compactMinBytes, live) + 2 * perExecution);
    expect(largest).toBeLessThan(100 * perExecution / 3);
  });

  it('keeps every finished execution it kept across a rewrite and a restart', async () => {
    const dataDir = tempDir();
    const first = await restart(dataDir, { journalCompactMinBytes: 16 * 1024 });
    for (let n = 0; n < 30; n++) {
      await first.client.send(new StartExecutionCommand({ stateMachineArn: RESTART_MACHINE_ARN, name: `kept-${n}`, input: JSON.stringify({ orderId: `kept-${n}`, lines: ['a', 'b'] }) }));
    }
    await first.sfn.idle();
    await first.sfn.close();

    const second = await restart(dataDir);
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async (_, n) => (await second.client.send(new DescribeExecutionCommand({ executionArn: executionArn(`kept-${n}`) }))).status),
    );

    expect(new Set(statuses)).toEqual(new Set(['SUCCEEDED']));
    expect(second.calls).toEqual([]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidName,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalStepFunctions, type LocalStepFunctions, type LocalStepFunctionsOptions } from './index.ts';

const ACCOUNT = '000000000000';
const smArn = (name: string) => `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${name}`;
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

class OutOfStockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutOfStockError';
  }
}

const started: LocalStepFunctions[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

type Invoke = LocalStepFunctionsOptions['invokeFunction'];

async function startWith(machines: Record<string, object>, invokeFunction: Invoke, extra: Partial<LocalStepFunctionsOptions> = {}) {
  const sfn = await startLocalStepFunctions({
    stateMachines: Object.entries(machines).map(([name, definition]) => ({ name, arn: smArn(name), definition: JSON.stringify(definition) })),
    invokeFunction,
    ...extra,
  });
  started.push(sfn);
  const client = new SFNClient({ region: 'us-east-1', endpoint: sfn.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return { sfn, client };
}

async function runToEnd(client: SFNClient, sfn: LocalStepFunctions, stateMachineArn: string, input: unknown, name?: string) {
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name }));
  await sfn.idle();
  return client.send(new DescribeExecutionCommand({ executionArn }));
}

function outputOf(execution: DescribeExecutionCommandOutput): unknown {
  return JSON.parse(execution.output ?? 'null');
}

/** A handler call the test releases by hand, to hold an execution RUNNING. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const reserve = {
  StartAt: 'Reserve',
  States: {
    Reserve: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: fnArn('reserve'), 'Payload.$': '$' },
      ResultSelector: { 'reserved.$': '$.Payload' },
      Next: 'Check',
    },
    Check: {
      Type: 'Choice',
      Choices: [{ Variable: '$.reserved.ok', BooleanEquals: true, Next: 'Done' }],
      Default: 'NotReserved',
    },
    Done: { Type: 'Succeed' },
    NotReserved: { Type: 'Fail', Error: 'NotReserved', Cause: 'nothing reserved' },
  },
};

describe('local Step Functions', () => {
  it('lists and describes the configured state machines with the substituted definition', async () => {
    const { client } = await startWith({ reserve }, async () => ({}));

    const list = await client.send(new ListStateMachinesCommand({}));
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: smArn('reserve') }));

    expect(list.stateMachines?.map((m) => m.name)).toEqual(['reserve']);
    expect(JSON.parse(described.definition ?? '')).toEqual(reserve);
    expect(described.status).toBe('ACTIVE');
  });

  it('runs an execution to SUCCEEDED with the Lambda integration result shaped as on AWS', async () => {
    const calls: Array<[string, unknown]> = [];
    const { client, sfn } = await startWith({ reserve }, async (fn, payload) => {
      calls.push([fn, payload]);
      return { ok: true, sku: 'A-1' };
    });

    const execution = await runToEnd(client, sfn, smArn('reserve'), { sku: 'A-1' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(outputOf(execution)).toEqual({ reserved: { ok: true, sku: 'A-1' } });
    expect(calls).toEqual([[fnArn('reserve'), { sku: 'A-1' }]]);
    expect(execution.startDate).toBeInstanceOf(Date);
    expect(execution.stopDate!.getTime()).toBeGreaterThanOrEqual(execution.startDate!.getTime());
  });

  it('answers StartExecution before the execution finishes', async () => {
    const held = gate();
    const { client, sfn } = await startWith({ reserve }, async () => {
      await held.opened;
      return { ok: true };
    });

    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: smArn('reserve'), input: '{}' }));
    const running = await client.send(new DescribeExecutionCommand({ executionArn }));
    held.open();
    await sfn.idle();
    const finished = await client.send(new DescribeExecutionCommand({ executionArn }));

    expect(running.status).toBe('RUNNING');
    expect(finished.status).toBe('SUCCEEDED');
  });

  it('returns a direct Lambda ARN task the handler result itself and passes the context object', async () => {
    const machine = {
      StartAt: 'Direct',
      States: {
        Direct: {
          Type: 'Task',
          Resource: fnArn('direct'),
          Parameters: { 'executionId.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name', 'machine.$': '$$.StateMachine.Name' },
          End: true,
        },
      },
    };
    const { client, sfn } = await startWith({ machine }, async (_fn, payload) => ({ got: payload }));

    const execution = await runToEnd(client, sfn, smArn('machine'), {}, 'run-1');

    expect(outputOf(execution)).toEqual({
      got: { executionId: `arn:aws:states:us-east-1:${ACCOUNT}:execution:machine:run-1`, name: 'run-1', machine: 'machine' },
    });
  });

  it('retries a failing Lambda task, then catches the error into ResultPath with the Lambda error cause', async () => {
    const machine = {
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'work', 'Payload.$': '$' },
          Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Recovered' }],
          End: true,
        },
        Recovered: { Type: 'Pass', End: true },
      },
    };
    let attempts = 0;
    const { client, sfn } = await startWith({ machine }, async () => {
      attempts += 1;
      throw new TypeError(`boom ${attempts}`);
    });
    const startedAt = Date.now();

    const execution = await runToEnd(client, sfn, smArn('machine'), { orderId: 'o-1' });

    // 2 + 4 + 8 s on AWS; scaled by the default 0.01 locally.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(attempts).toBe(4);
    expect(execution.status).toBe('SUCCEEDED');
    const output = outputOf(execution) as { orderId: string; error: { Error: string; Cause: string } };
    expect(output.orderId).toBe('o-1');
    expect(output.error.Error).toBe('TypeError');
    const cause = JSON.parse(output.error.Cause);
    expect(Object.keys(cause)).toEqual(['errorMessage', 'errorType', 'trace']);
    expect(cause).toMatchObject({ errorMessage: 'boom 4', errorType: 'TypeError' });
    expect(cause.trace[0]).toBe('TypeError: boom 4');
  });

  it('matches Retry and Catch on the custom error name a handler throws', async () => {
    const machine = {
      StartAt: 'Reserve',
      States: {
        Reserve: {
          Type: 'Task',
          Resource: fnArn('reserve'),
          Retry: [{ ErrorEquals: ['OutOfStockError'], MaxAttempts: 1 }],
          Catch: [
            { ErrorEquals: ['OutOfStockError'], ResultPath: '$.failure', Next: 'Backorder' },
            { ErrorEquals: ['States.TaskFailed'], Next: 'Broken' },
          ],
          End: true,
        },
        Backorder: { Type: 'Pass', Result: 'backordered', ResultPath: '$.outcome', End: true },
        Broken: { Type: 'Fail', Error: 'Broken' },
      },
    };
    let attempts = 0;
    const { client, sfn } = await startWith({ machine }, async () => {
      attempts += 1;
      throw new OutOfStockError('SKU A-1 has 0 available');
    });

    const execution = await runToEnd(client, sfn, smArn('machine'), {});

    expect(attempts).toBe(2);
    const output = outputOf(execution) as { outcome: string; failure: { Error: string; Cause: string } };
    expect(output.outcome).toBe('backordered');
    expect(output.failure.Error).toBe('OutOfStockError');
    expect(JSON.parse(output.failure.Cause)).toMatchObject({ errorType: 'OutOfStockError', errorMessage: 'SKU A-1 has 0 available' });
  });

  it('fails the execution with the uncaught error name and the Lambda cause', async () => {
    const machine = { StartAt: 'Reserve', States: { Reserve: { Type: 'Task', Resource: fnArn('reserve'), End: true } } };
    const { client, sfn } = await startWith({ machine }, async () => {
      throw new OutOfStockError('none left');
    });

    const execution = await runToEnd(client, sfn, smArn('machine'), {});

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('OutOfStockError');
    expect(JSON.parse(execution.cause ?? '')).toMatchObject({ errorMessage: 'none left', errorType: 'OutOfStockError' });
  });

  it('ends in a Fail state with its Error and Cause', async () => {
    const { client, sfn } = await startWith({ reserve }, async () => ({ ok: false }));

    const execution = await runToEnd(client, sfn, smArn('reserve'), {});

    expect(execution).toMatchObject({ status: 'FAILED', error: 'NotReserved', cause: 'nothing reserved' });
  });

  it('starts a named execution once when the same name and input arrive while it runs', async () => {
    const held = gate();
    let calls = 0;
    const { client, sfn } = await startWith({ reserve }, async () => {
      calls += 1;
      await held.opened;
      return { ok: true };
    });
    const request = { stateMachineArn: smArn('reserve'), name: 'order-42', input: '{"orderId":"42"}' };

    const first = await client.send(new StartExecutionCommand(request));
    const second = await client.send(new StartExecutionCommand(request));
    held.open();
    await sfn.idle();

    expect(second.executionArn).toBe(first.executionArn);
    expect(second.startDate).toEqual(first.startDate);
    expect(calls).toBe(1);
  });

  it('refuses a reused name with a different input, or once the first execution is closed, with ExecutionAlreadyExists', async () => {
    const held = gate();
    const { client, sfn } = await startWith({ reserve }, async () => {
      await held.opened;
      return { ok: true };
    });
    const request = { stateMachineArn: smArn('reserve'), name: 'order-43', input: '{"orderId":"43"}' };
    await client.send(new StartExecutionCommand(request));

    const differentInput = client.send(new StartExecutionCommand({ ...request, input: '{"orderId":"other"}' }));
    await expect(differentInput).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    held.open();
    await sfn.idle();
    await expect(client.send(new StartExecutionCommand(request))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('rejects invalid execution names, unknown state machines and unknown executions with the SDK exceptions', async () => {
    const { client } = await startWith({ reserve }, async () => ({ ok: true }));

    await expect(client.send(new StartExecutionCommand({ stateMachineArn: smArn('reserve'), name: 'has space' }))).rejects.toBeInstanceOf(InvalidName);
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: smArn('reserve'), name: 'x'.repeat(81) }))).rejects.toBeInstanceOf(InvalidName);
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: smArn('reserve'), name: 'a/b' }))).rejects.toBeInstanceOf(InvalidName);
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: smArn('missing') }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      client.send(new DescribeExecutionCommand({ executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:reserve:nope` })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('lists executions newest first, filtered by status and paged', async () => {
    const { client, sfn } = await startWith({ reserve }, async (_fn, payload) => ({ ok: (payload as { ok: boolean }).ok }));
    for (const [i, ok] of [true, false, true, true, false].entries()) {
      await client.send(new StartExecutionCommand({ stateMachineArn: smArn('reserve'), name: `run-${i}`, input: JSON.stringify({ ok }) }));
      await sfn.idle();
    }

    const all = await client.send(new ListExecutionsCommand({ stateMachineArn: smArn('reserve') }));
    const failed = await client.send(new ListExecutionsCommand({ stateMachineArn: smArn('reserve'), statusFilter: 'FAILED' }));
    const page1 = await client.send(new ListExecutionsCommand({ stateMachineArn: smArn('reserve'), statusFilter: 'SUCCEEDED', maxResults: 2 }));
    const page2 = await client.send(
      new ListExecutionsCommand({ stateMachineArn: smArn('reserve'), statusFilter: 'SUCCEEDED', maxResults: 2, nextToken: page1.nextToken }),
    );

    expect(all.executions?.map((e) => e.name)).toEqual(['run-4', 'run-3', 'run-2', 'run-1', 'run-0']);
    expect(failed.executions?.map((e) => e.name)).toEqual(['run-4', 'run-1']);
    expect(page1.executions?.map((e) => e.name)).toEqual(['run-3', 'run-2']);
    expect(page2.executions?.map((e) => e.name)).toEqual(['run-0']);
    expect(page2.nextToken).toBeUndefined();
  });

  it('records the execution history as AWS event types with ids and previous ids', async () => {
    const { client, sfn } = await startWith({ reserve }, async () => ({ ok: true }));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: smArn('reserve'), input: '{"sku":"A"}' }));
    await sfn.idle();

    const { events = [] } = await client.send(new GetExecutionHistoryCommand({ executionArn }));

    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.previousEventId)).toEqual(events.map((_, i) => i));
    expect(events[0]?.executionStartedEventDetails?.input).toBe('{"sku":"A"}');
    expect(events[1]?.stateEnteredEventDetails?.name).toBe('Reserve');
    expect(events[2]?.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' });
    expect(JSON.parse(events[2]?.taskScheduledEventDetails?.parameters ?? '')).toEqual({ FunctionName: fnArn('reserve'), Payload: { sku: 'A' } });
    expect(events[0]?.timestamp).toBeInstanceOf(Date);
  });

  it('records TaskFailed for each failed attempt and ExecutionFailed at the end', async () => {
    const machine = {
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: fnArn('work'), Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1 }], End: true } },
    };
    const { client, sfn } = await startWith({ machine }, async () => {
      throw new Error('nope');
    });
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: smArn('machine') }));
    await sfn.idle();

    const { events = [] } = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 3 }));

    expect(events.map((e) => e.type)).toEqual(['ExecutionFailed', 'LambdaFunctionFailed', 'LambdaFunctionStarted']);
    expect(events[0]?.executionFailedEventDetails?.error).toBe('Error');
  });

  it('dispatches Task states inside Map iterations and Parallel branches, even when their names repeat', async () => {
    const branch = (fn: string) => ({
      StartAt: 'Call',
      States: { Call: { Type: 'Task', Resource: fnArn(fn), End: true } },
    });
    const machine = {
      StartAt: 'EachLine',
      States: {
        EachLine: {
          Type: 'Map',
          ItemsPath: '$.lines',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Call',
            States: {
              Call: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                Parameters: { FunctionName: 'price-line', 'Payload.$': '$' },
                OutputPath: '$.Payload',
                End: true,
              },
            },
          },
          ResultPath: '$.priced',
          Next: 'Both',
        },
        Both: { Type: 'Parallel', Branches: [branch('left'), branch('right')], ResultPath: '$.sides', End: true },
      },
    };
    const calls: string[] = [];
    const { client, sfn } = await startWith({ machine }, async (fn, payload) => {
      calls.push(fn);
      if (fn === 'price-line') return { sku: (payload as { sku: string }).sku, price: 10 };
      return fn.split(':').pop();
    });

    const execution = await runToEnd(client, sfn, smArn('machine'), { lines: [{ sku: 'A' }, { sku: 'B' }] });
    const { events = [] } = await client.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn }));

    expect(execution.status).toBe('SUCCEEDED');
    expect(outputOf(execution)).toEqual({
      lines: [{ sku: 'A' }, { sku: 'B' }],
      priced: [{ sku: 'A', price: 10 }, { sku: 'B', price: 10 }],
      sides: ['left', 'right'],
    });
    expect(calls.sort()).toEqual([fnArn('left'), fnArn('right'), 'price-line', 'price-line']);
    const entered = events.filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateEnteredEventDetails?.name);
    expect(entered).toEqual(['Call', 'Call', 'Call', 'Call']);
    expect(events.filter((e) => e.type === 'MapIterationSucceeded').map((e) => e.mapIterationSucceededEventDetails?.index).sort()).toEqual([0, 1]);
  });

  it('scales Wait states down locally', async () => {
    const machine = { StartAt: 'Pause', States: { Pause: { Type: 'Wait', Seconds: 60, End: true } } };
    const { client, sfn } = await startWith({ machine }, async () => ({}));
    const startedAt = Date.now();

    const execution = await runToEnd(client, sfn, smArn('machine'), {});

    expect(execution.status).toBe('SUCCEEDED');
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('stops a running execution as ABORTED with the given error and cause', async () => {
    const held = gate();
    const finished: string[] = [];
    const { client, sfn } = await startWith(
      { reserve },
      async () => {
        await held.opened;
        return { ok: true };
      },
      { onExecutionFinished: (e) => finished.push(e.status) },
    );
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: smArn('reserve') }));

    await client.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped by hand' }));
    held.open();
    await sfn.idle();
    const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
    const { events = [] } = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));

    expect(execution).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'stopped by hand' });
    expect(events[0]?.type).toBe('ExecutionAborted');
    expect(finished).toEqual(['ABORTED']);
  });

  it('runs at most maxConcurrentRuns executions of a machine at once; the rest wait RUNNING, in start order', async () => {
    const held = gate();
    let inFlight = 0;
    let peak = 0;
    const order: number[] = [];
    const { client, sfn } = await startWith(
      { reserve },
      async (_fn, payload) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        order.push((payload as { n: number }).n);
        await held.opened;
        inFlight--;
        return { ok: true };
      },
      { maxConcurrentRuns: 3 },
    );
    const arns: string[] = [];
    for (let n = 0; n < 8; n++) arns.push((await client.send(new StartExecutionCommand({ stateMachineArn: smArn('reserve'), input: JSON.stringify({ n }) }))).executionArn!);
    // The fourth waits for a slot, yet answers as RUNNING; stopping a waiting one gives its turn to the next.
    expect((await client.send(new DescribeExecutionCommand({ executionArn: arns[3] }))).status).toBe('RUNNING');
    await client.send(new StopExecutionCommand({ executionArn: arns[4] }));
    expect(order).toEqual([0, 1, 2]);

    held.open();
    await sfn.idle();
    const statuses = await Promise.all(arns.map(async (executionArn) => (await client.send(new DescribeExecutionCommand({ executionArn }))).status));
    expect(statuses).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'ABORTED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(peak).toBe(3);
    expect(order).toEqual([0, 1, 2, 3, 5, 6, 7]);
  });

  it('keeps finished executions across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'local-sfn-'));
    try {
      const first = await startWith({ reserve }, async () => ({ ok: true }), { dataDir });
      const done = await runToEnd(first.client, first.sfn, smArn('reserve'), {}, 'done-before');
      await first.sfn.close();

      const second = await startWith({ reserve }, async () => ({ ok: true }), { dataDir });
      const kept = await second.client.send(new DescribeExecutionCommand({ executionArn: done.executionArn }));

      expect(kept).toMatchObject({ status: 'SUCCEEDED', output: done.output, redriveCount: 0 });
    } finally {
      await Promise.all(started.splice(0).map((s) => s.close()));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start with a definition the local runner cannot run, naming the state machine', async () => {
    const callback = {
      StartAt: 'Wait',
      States: { Wait: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'f' }, End: true } },
    };

    await expect(startWith({ callback }, async () => ({}))).rejects.toThrow(/State machine 'callback'.*\n.*waitForTaskToken/);
  });
});

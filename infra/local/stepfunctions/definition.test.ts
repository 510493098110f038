import { describe, expect, it } from 'vitest';
import { checkDefinition, classifyResource, displayStateName, prepareDefinition } from './definition.ts';

const lambdaArn = 'arn:aws:lambda:us-east-1:000000000000:function:work';

function taskMachine(resource: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: resource, End: true, ...extra } } });
}

describe('checkDefinition', () => {
  it('accepts a valid JSONPath definition', () => {
    expect(checkDefinition('ok', taskMachine(lambdaArn)).StartAt).toBe('Work');
  });

  it('rejects an invalid definition naming the state machine and the error', () => {
    const text = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' } } });

    expect(() => checkDefinition('broken-machine', text)).toThrow(/State machine 'broken-machine': invalid definition:[\s\S]*Missing/);
  });

  it('rejects QueryLanguage JSONata', () => {
    const text = JSON.stringify({ QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });

    expect(() => checkDefinition('jsonata', text)).toThrow(/'jsonata'.*cannot do[\s\S]*JSONata/);
  });

  it('rejects .waitForTaskToken', () => {
    const text = taskMachine('arn:aws:states:::sqs:sendMessage.waitForTaskToken', {
      Parameters: { QueueUrl: 'http://q', MessageBody: { 'token.$': '$$.Task.Token' } },
    });

    expect(() => checkDefinition('callback', text)).toThrow(/state 'Work'.*waitForTaskToken/);
  });

  it('rejects .sync integrations', () => {
    const text = taskMachine('arn:aws:states:::states:startExecution.sync:2', { Parameters: { StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:x' } });

    expect(() => checkDefinition('nested', text)).toThrow(/\.sync:2, which the local runner cannot do/);
  });

  it('rejects resources the local cloud does not dispatch', () => {
    expect(() => checkDefinition('sdk', taskMachine('arn:aws:states:::aws-sdk:s3:getObject'))).toThrow(/not supported locally/);
  });

  it('rejects placeholders that were never substituted', () => {
    expect(() => checkDefinition('raw', taskMachine('${WorkFunctionArn}'))).toThrow(/unfilled placeholders \$\{WorkFunctionArn\}/);
  });

  it('finds unsupported Task states inside Map and Parallel', () => {
    const text = JSON.stringify({
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', End: true } } },
          End: true,
        },
      },
    });

    expect(() => checkDefinition('fan', text)).toThrow(/state 'Inner'/);
  });

  const distributedMap = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Inner', States: { Inner: { Type: 'Task', Resource: lambdaArn, End: true } } },
          End: true,
          ...extra,
        },
      },
    });

  it('accepts a distributed Map over items of its own input (run inline locally)', () => {
    expect(checkDefinition('distributed', distributedMap({ ToleratedFailurePercentage: 0 })).StartAt).toBe('Fan');
  });

  it('rejects a distributed Map that reads, batches or writes its items elsewhere, or tolerates failures', () => {
    expect(() => checkDefinition('reader', distributedMap({ ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'b' } } }))).toThrow(/ItemReader/);
    expect(() => checkDefinition('batcher', distributedMap({ ItemBatcher: { MaxItemsPerBatch: 10 } }))).toThrow(/ItemBatcher/);
    expect(() => checkDefinition('tolerant', distributedMap({ ToleratedFailurePercentage: 5 }))).toThrow(/tolerated failures/);
  });
});

describe('classifyResource', () => {
  it.each([
    ['arn:aws:states:::lambda:invoke', 'lambdaInvoke'],
    [lambdaArn, 'lambdaArn'],
    ['arn:aws:states:::sqs:sendMessage', 'sqsSendMessage'],
    ['arn:aws:states:::events:putEvents', 'eventsPutEvents'],
    ['arn:aws:states:::dynamodb:updateItem', 'dynamodb'],
  ])('dispatches %s as %s', (resource, kind) => {
    expect(classifyResource(resource)).toMatchObject({ kind });
  });
});

describe('prepareDefinition', () => {
  it('scales retry intervals, max delays and wait seconds', () => {
    const definition = {
      StartAt: 'Work',
      States: {
        Work: { Type: 'Task', Resource: lambdaArn, Retry: [{ ErrorEquals: ['States.ALL'], MaxDelaySeconds: 30 }, { ErrorEquals: ['X'], IntervalSeconds: 4 }], Next: 'Pause' },
        Pause: { Type: 'Wait', Seconds: 10, End: true },
      },
    };

    const { runtimeDefinition } = prepareDefinition(definition, { retryIntervalScale: 0.01, waitTimeScale: 0.1 });

    const states = runtimeDefinition.States as Record<string, { Retry?: unknown; Seconds?: number }>;
    expect(states.Work?.Retry).toEqual([
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 0.01, MaxDelaySeconds: 0.3 },
      { ErrorEquals: ['X'], IntervalSeconds: 0.04 },
    ]);
    expect(states.Pause?.Seconds).toBe(1);
    expect(definition.States.Pause.Seconds).toBe(10);
  });

  it('gives Task states repeated across branches distinct runner names that display as the original', () => {
    const branch = (resource: string) => ({ StartAt: 'Call', States: { Call: { Type: 'Task', Resource: resource, Next: 'Done' }, Done: { Type: 'Succeed' } } });
    const definition = {
      StartAt: 'Both',
      States: { Both: { Type: 'Parallel', Branches: [branch(lambdaArn), branch('arn:aws:states:::sqs:sendMessage')], End: true } },
    };

    const { tasks, runtimeDefinition } = prepareDefinition(definition, { retryIntervalScale: 1, waitTimeScale: 1 });

    const specs = [...tasks.values()];
    expect(specs.map((s) => s.name)).toEqual(['Call', 'Call']);
    expect(new Set(specs.map((s) => s.runtimeName)).size).toBe(2);
    expect(specs.map((s) => s.task.kind)).toEqual(['lambdaArn', 'sqsSendMessage']);
    const second = (runtimeDefinition.States as any).Both.Branches[1];
    expect(second.StartAt).toBe(specs[1]?.runtimeName);
    expect(displayStateName(second.StartAt)).toBe('Call');
  });
});

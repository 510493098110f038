import { describe, expect, it } from 'vitest';
import type { TaskKind, TaskSpec } from './definition.ts';
import { dispatchTask, serviceError, TaskFailure, type ServiceClients, type TaskEventSink } from './task-dispatch.ts';

interface SentCommand {
  constructor: { name: string };
  input: unknown;
}

/** A stand-in for one SDK client: records the commands and answers with `reply`. */
function fakeClient(reply: (command: SentCommand) => unknown) {
  const sent: SentCommand[] = [];
  return {
    sent,
    client: {
      send: async (command: SentCommand) => {
        sent.push(command);
        return reply(command);
      },
    },
  };
}

const noEvents: TaskEventSink = { scheduled() {}, started() {}, succeeded() {}, failed() {}, isOpen: () => true };
const spec = (task: TaskKind, resource = 'arn:aws:states:::x:y'): TaskSpec => ({ name: 'T', runtimeName: 'T', resource, task });
const metadata = { $metadata: { httpStatusCode: 200, requestId: 'r-1' } };

function clientsWith(part: Partial<Record<keyof ServiceClients, unknown>>): ServiceClients {
  return part as unknown as ServiceClients;
}

describe('dispatchTask', () => {
  it('sends an SQS MessageBody object as its JSON text and returns the AWS-shaped result', async () => {
    const sqs = fakeClient(() => ({ MessageId: 'm-1', MD5OfMessageBody: 'abc', ...metadata }));
    const deps = { clients: clientsWith({ sqs: sqs.client }), invokeFunction: async () => null };

    const result = await dispatchTask(spec({ kind: 'sqsSendMessage' }), { QueueUrl: 'q', MessageBody: { a: 1 } }, deps, noEvents);

    expect(sqs.sent[0]?.input).toEqual({ QueueUrl: 'q', MessageBody: '{"a":1}' });
    expect(result).toMatchObject({ MessageId: 'm-1', MD5OfMessageBody: 'abc', SdkResponseMetadata: { RequestId: 'r-1' } });
  });

  it('stringifies EventBridge Detail objects and fails with EventBridge.FailedEntry when an entry fails', async () => {
    const events = fakeClient(() => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'X', ErrorMessage: 'bad' }], ...metadata }));
    const deps = { clients: clientsWith({ eventBridge: events.client }), invokeFunction: async () => null };

    const call = dispatchTask(spec({ kind: 'eventsPutEvents' }), { Entries: [{ Source: 's', DetailType: 'd', Detail: { x: 1 } }] }, deps, noEvents);

    await expect(call).rejects.toMatchObject({ name: 'EventBridge.FailedEntry' });
    expect(events.sent[0]?.input).toEqual({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{"x":1}' }] });
  });

  it('passes DynamoDB parameters through to the matching command', async () => {
    const dynamodb = fakeClient(() => ({ Item: { pk: { S: 'a' } }, ...metadata }));
    const deps = { clients: clientsWith({ dynamodb: dynamodb.client }), invokeFunction: async () => null };

    const result = await dispatchTask(spec({ kind: 'dynamodb', action: 'getItem' }), { TableName: 't', Key: { pk: { S: 'a' } } }, deps, noEvents);

    expect(dynamodb.sent[0]?.constructor.name).toBe('GetItemCommand');
    expect(result).toMatchObject({ Item: { pk: { S: 'a' } } });
  });

  it('records scheduled, started and failed for a Lambda error, and throws its errorType', async () => {
    const seen: string[] = [];
    const sink: TaskEventSink = {
      scheduled: () => seen.push('scheduled'),
      started: () => seen.push('started'),
      succeeded: () => seen.push('succeeded'),
      failed: (_s, error) => seen.push(`failed:${error}`),
      isOpen: () => true,
    };
    const deps = {
      clients: clientsWith({}),
      invokeFunction: async () => {
        throw new RangeError('too far');
      },
    };

    await expect(dispatchTask(spec({ kind: 'lambdaArn' }), {}, deps, sink)).rejects.toMatchObject({ name: 'RangeError' });
    expect(seen).toEqual(['scheduled', 'started', 'failed:RangeError']);
  });
});

describe('serviceError', () => {
  it('names a service exception the way Step Functions integrations do', () => {
    const error = Object.assign(new Error('The conditional request failed'), {
      name: 'ConditionalCheckFailedException',
      $metadata: { httpStatusCode: 400, requestId: 'r-2' },
    });

    const failure = serviceError('DynamoDB', 'AmazonDynamoDBv2', error);

    expect(failure).toBeInstanceOf(TaskFailure);
    expect(failure.name).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(failure.message).toContain('Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: r-2');
  });

  it('adds the Exception suffix AWS uses when the SDK error name lacks it', () => {
    const error = Object.assign(new Error('no queue'), { name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } });

    expect(serviceError('SQS', 'AmazonSQS', error).name).toBe('SQS.QueueDoesNotExistException');
  });

  it('reports a connection failure as an SdkClientException', () => {
    expect(serviceError('SQS', 'AmazonSQS', new Error('connect ECONNREFUSED')).name).toBe('SQS.SdkClientException');
  });
});

import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DeleteItemCommandInput,
  type GetItemCommandInput,
  type PutItemCommandInput,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient, type SendMessageCommandInput } from '@aws-sdk/client-sqs';
import type { TaskSpec } from './definition.ts';

/**
 * An error the runner sees from a Task: `name` is the ASL error (matched by Retry/Catch ErrorEquals) and `message`
 * the cause, because aws-local-stepfunctions builds a Catch's `{Error, Cause}` from `name` and `message`.
 */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

export interface TaskEventSink {
  scheduled(spec: TaskSpec, parameters: unknown): void;
  started(spec: TaskSpec): void;
  succeeded(spec: TaskSpec, output: unknown): void;
  failed(spec: TaskSpec, error: string, cause: string): void;
  /** False once the execution is over (stopped, timed out): late results are then not recorded. */
  isOpen(): boolean;
}

export interface ServiceClients {
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  dynamodb: DynamoDBClient;
}

export interface DispatchDeps {
  clients: ServiceClients;
  invokeFunction(functionArnOrName: string, payload: unknown): Promise<unknown>;
}

export function createServiceClients(region: string): ServiceClients {
  // The endpoints come from AWS_ENDPOINT_URL_SQS / _EVENTBRIDGE / _DYNAMODB, which the SDK reads itself. The local
  // endpoints accept any credentials; dummy ones keep the SDK from searching for a profile when none is set.
  const credentials = process.env.AWS_ACCESS_KEY_ID ? undefined : { accessKeyId: 'local', secretAccessKey: 'local' };
  const config = { region: process.env.AWS_REGION ?? region, ...(credentials ? { credentials } : {}) };
  return { sqs: new SQSClient(config), eventBridge: new EventBridgeClient(config), dynamodb: new DynamoDBClient(config) };
}

export function destroyServiceClients(clients: ServiceClients): void {
  clients.sqs.destroy();
  clients.eventBridge.destroy();
  clients.dynamodb.destroy();
}

/** A value as it comes back over the wire: what the Lambda service does to a handler's result. */
function asJson(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function sdkMetadata(requestId: string) {
  return {
    SdkHttpMetadata: {
      AllHttpHeaders: { 'x-amzn-RequestId': [requestId], 'Content-Type': ['application/json'] },
      HttpHeaders: { 'x-amzn-RequestId': requestId, 'Content-Type': 'application/json' },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
  };
}

/** The payload the Node.js Lambda runtime reports for an error thrown by a handler. */
function lambdaErrorCause(error: unknown): { errorType: string; cause: string } {
  if (error instanceof Error) {
    const errorType = error.name || 'Error';
    const trace = (error.stack ?? `${errorType}: ${error.message}`).split('\n');
    return { errorType, cause: JSON.stringify({ errorMessage: error.message, errorType, trace }) };
  }
  const errorType = typeof error;
  return { errorType, cause: JSON.stringify({ errorMessage: String(error), errorType, trace: [] }) };
}

function withoutMetadata(output: object): Record<string, unknown> {
  const { $metadata: _metadata, ...rest } = output as Record<string, unknown>;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
}

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** Maps an SDK error to the error name a Step Functions service integration reports, e.g. `SQS.QueueDoesNotExistException`. */
export function serviceError(prefix: string, serviceName: string, error: unknown): TaskFailure {
  const e = (error ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) {
    return new TaskFailure(`${prefix}.SdkClientException`, `Unable to execute HTTP request: ${e.message ?? String(error)}`);
  }
  const code = e.name ?? 'UnknownError';
  const name = code.endsWith('Exception') ? code : `${code}Exception`;
  const cause = `${e.message ?? code} (Service: ${serviceName}; Status Code: ${status}; Error Code: ${code}; Request ID: ${e.$metadata?.requestId ?? 'local'}; Proxy: null)`;
  return new TaskFailure(`${prefix}.${name}`, cause);
}

function asObject(input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TaskFailure('States.Runtime', `The ${what} parameters must be a JSON object`);
  }
  return input as Record<string, unknown>;
}

async function invokeLambda(deps: DispatchDeps, functionName: string, payload: unknown): Promise<unknown> {
  try {
    return asJson(await deps.invokeFunction(functionName, asJson(payload)));
  } catch (error) {
    if (error instanceof TaskFailure) throw error;
    const { errorType, cause } = lambdaErrorCause(error);
    throw new TaskFailure(errorType, cause);
  }
}

async function callService(spec: TaskSpec, input: unknown, deps: DispatchDeps): Promise<unknown> {
  const { clients } = deps;
  const task = spec.task;
  switch (task.kind) {
    case 'lambdaArn':
      return invokeLambda(deps, spec.resource, input);
    case 'lambdaInvoke': {
      const params = asObject(input, 'lambda:invoke');
      if (typeof params.FunctionName !== 'string') throw new TaskFailure('States.Runtime', 'lambda:invoke needs Parameters.FunctionName');
      const payload = params.Payload ?? {};
      const requestId = randomUUID();
      if (params.InvocationType === 'Event' || params.InvocationType === 'DryRun') {
        if (params.InvocationType === 'Event') void deps.invokeFunction(params.FunctionName, asJson(payload)).catch(() => undefined);
        return { Payload: '', StatusCode: params.InvocationType === 'Event' ? 202 : 204, ...sdkMetadata(requestId) };
      }
      const result = await invokeLambda(deps, params.FunctionName, payload);
      return { ExecutedVersion: '$LATEST', Payload: result, ...sdkMetadata(requestId), StatusCode: 200 };
    }
    case 'sqsSendMessage': {
      const params = { ...asObject(input, 'sqs:sendMessage') };
      // As on AWS, a JSON MessageBody is sent as its JSON text.
      if (typeof params.MessageBody !== 'string') params.MessageBody = JSON.stringify(params.MessageBody);
      try {
        const out = await clients.sqs.send(new SendMessageCommand(params as unknown as SendMessageCommandInput));
        return { ...withoutMetadata(out), ...sdkMetadata(out.$metadata.requestId ?? randomUUID()) };
      } catch (error) {
        throw serviceError('SQS', 'AmazonSQS', error);
      }
    }
    case 'eventsPutEvents': {
      const params = asObject(input, 'events:putEvents');
      const entries = Array.isArray(params.Entries) ? (params.Entries as Array<Record<string, unknown>>) : [];
      const request = {
        ...params,
        Entries: entries.map((entry) => ({
          ...entry,
          ...(entry.Detail !== undefined && typeof entry.Detail !== 'string' ? { Detail: JSON.stringify(entry.Detail) } : {}),
        })) as PutEventsRequestEntry[],
      } as PutEventsCommandInput;
      let out;
      try {
        out = await clients.eventBridge.send(new PutEventsCommand(request));
      } catch (error) {
        throw serviceError('EventBridge', 'AmazonEventBridge', error);
      }
      const result = withoutMetadata(out);
      if ((out.FailedEntryCount ?? 0) > 0) throw new TaskFailure('EventBridge.FailedEntry', JSON.stringify(result));
      return result;
    }
    case 'dynamodb': {
      const params = asObject(input, `dynamodb:${task.action}`);
      try {
        const out =
          task.action === 'getItem'
            ? await clients.dynamodb.send(new GetItemCommand(params as unknown as GetItemCommandInput))
            : task.action === 'putItem'
              ? await clients.dynamodb.send(new PutItemCommand(params as unknown as PutItemCommandInput))
              : task.action === 'updateItem'
                ? await clients.dynamodb.send(new UpdateItemCommand(params as unknown as UpdateItemCommandInput))
                : await clients.dynamodb.send(new DeleteItemCommand(params as unknown as DeleteItemCommandInput));
        return { ...withoutMetadata(out), ...sdkMetadata(out.$metadata.requestId ?? randomUUID()) };
      } catch (error) {
        throw serviceError('DynamoDB', 'AmazonDynamoDBv2', error);
      }
    }
  }
}

/** Runs one Task attempt and records its TaskScheduled/Started/Succeeded/Failed events. */
export async function dispatchTask(spec: TaskSpec, input: unknown, deps: DispatchDeps, events: TaskEventSink): Promise<unknown> {
  // The runner calls this handler before its StateEntered event reaches the history; yielding one macrotask lets
  // the history take that event first, so TaskStateEntered precedes TaskScheduled as on AWS.
  await new Promise<void>((resolve) => setImmediate(resolve));
  events.scheduled(spec, input);
  events.started(spec);
  try {
    const output = await callService(spec, input, deps);
    if (events.isOpen()) events.succeeded(spec, output);
    return output;
  } catch (error) {
    const failure =
      error instanceof TaskFailure ? error : new TaskFailure('States.TaskFailed', error instanceof Error ? error.message : String(error));
    if (events.isOpen()) events.failed(spec, failure.name, failure.message);
    throw failure;
  }
}

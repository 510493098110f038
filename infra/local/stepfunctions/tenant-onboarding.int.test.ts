import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStepFunctions, substituteDefinition, type LocalStepFunctions, type LocalStepFunctionsOptions } from './index.ts';

const ACCOUNT = '000000000000';
const STATE_MACHINE_ARN = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:tenant-onboarding`;
const SEED_FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:seed-tenant-defaults`;
const aslText = readFileSync(new URL('../../../state-machines/tenant-onboarding.asl.json', import.meta.url), 'utf8');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

const tenantCreated = {
  'detail-type': 'TenantCreated',
  source: 'dom.tenants',
  detail: { metadata: { tenantId: 't-1', correlationId: 'c-1', eventId: 'e-1', version: 1 }, data: { name: 'Acme' } },
};

let sqsServer: Server;
let sqs: SQSClient;
let queueUrl: string;
const previousSqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS;

beforeAll(async () => {
  sqsServer = await createSqsServer({ port: 0, hostname: '127.0.0.1', accountId: ACCOUNT, emulateQueueCreationLifecycle: false });
  const endpoint = `http://127.0.0.1:${(sqsServer.address() as AddressInfo).port}`;
  // The local Step Functions service builds its SQS client from this variable, as the start script sets it.
  process.env.AWS_ENDPOINT_URL_SQS = endpoint;
  sqs = new SQSClient({ region: 'us-east-1', endpoint, credentials });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'workflow-failures' }))).QueueUrl ?? '';
});

afterAll(async () => {
  sqs.destroy();
  if (previousSqsEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_SQS;
  else process.env.AWS_ENDPOINT_URL_SQS = previousSqsEndpoint;
  await new Promise<void>((resolve) => sqsServer.close(() => resolve()));
});

let service: LocalStepFunctions | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function onboard(invokeFunction: LocalStepFunctionsOptions['invokeFunction'], failuresQueueUrl = queueUrl) {
  service = await startLocalStepFunctions({
    stateMachines: [
      {
        name: 'tenant-onboarding',
        arn: STATE_MACHINE_ARN,
        definition: substituteDefinition(aslText, {
          SeedTenantDefaultsFunctionArn: SEED_FUNCTION_ARN,
          WorkflowFailuresQueueUrl: failuresQueueUrl,
        }),
      },
    ],
    invokeFunction,
  });
  const client = new SFNClient({ region: 'us-east-1', endpoint: service.endpoint, credentials });
  const { executionArn } = await client.send(
    new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'tenant-t-1', input: JSON.stringify(tenantCreated) }),
  );
  await service.idle();
  const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
  const { events = [] } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  client.destroy();
  return { execution, events };
}

describe('state-machines/tenant-onboarding.asl.json on the local runner', () => {
  it('ends in Onboarded with the seeded settings when the seeding function succeeds', async () => {
    const calls: Array<[string, unknown]> = [];

    const { execution, events } = await onboard(async (fn, payload) => {
      calls.push([fn, payload]);
      return { currency: 'EUR' };
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '')).toEqual({ ...tenantCreated, seeded: { settings: { currency: 'EUR' } } });
    expect(calls).toEqual([[SEED_FUNCTION_ARN, { tenantId: 't-1', correlationId: 'c-1' }]]);
    const entered = events.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name);
    expect(entered).toEqual(['SeedDefaults', 'Onboarded']);
  });

  it('retries, records the failure on the workflow failures queue and ends in OnboardingFailed when seeding keeps failing', async () => {
    let attempts = 0;

    const { execution, events } = await onboard(async () => {
      attempts += 1;
      throw new Error('tenant table unavailable');
    });
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));

    expect(attempts).toBe(3);
    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'TenantOnboardingFailed',
      cause: "Seeding the tenant's defaults failed; the error is on the workflowFailures queue",
    });
    expect(received.Messages).toHaveLength(1);
    const body = JSON.parse(received.Messages?.[0]?.Body ?? '');
    expect(body).toMatchObject({ workflow: 'tenant-onboarding', executionId: execution.executionArn, tenantId: 't-1' });
    expect(body.error.Error).toBe('Error');
    expect(JSON.parse(body.error.Cause)).toMatchObject({ errorType: 'Error', errorMessage: 'tenant table unavailable' });
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'TaskFailed')).toHaveLength(3);
    expect(types.slice(-7)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
    expect(events.find((e) => e.type === 'TaskScheduled' && e.taskScheduledEventDetails?.resourceType === 'sqs')?.taskScheduledEventDetails?.resource).toBe(
      'sendMessage',
    );
  });

  it('fails with the SQS error name when the failures queue does not exist', async () => {
    const missingQueue = queueUrl.replace('workflow-failures', 'no-such-queue');

    const { execution } = await onboard(async () => {
      throw new Error('boom');
    }, missingQueue);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('SQS.QueueDoesNotExistException');
    expect(execution.cause).toMatch(/Service: AmazonSQS; Status Code: 400/);
  });
});

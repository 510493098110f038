import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueueId, QueueSpec } from '../../topology.ts';
import { startLocalSqs, type LocalSqs } from './index.ts';

const QUEUES = {
  webhookDeliveries: { description: 'test', visibilityTimeoutSeconds: 30, maxReceiveCount: 5, retentionSeconds: 3600 },
} as Record<QueueId, QueueSpec>;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-sqs-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A queue endpoint on `dataDir`. A restart starts a second one on the same directory and leaves the first running
 * unclosed, as a killed process leaves its files: the journal is written before each answer, so nothing a client was
 * answered depends on a close().
 */
async function startOn(dataDir: string | undefined) {
  const sqs: LocalSqs = await startLocalSqs(QUEUES, dataDir ? { dataDir } : {});
  cleanups.push(() => sqs.close());
  const client = new SQSClient({ region: 'us-east-1', endpoint: sqs.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  cleanups.push(() => client.destroy());
  return { client, url: sqs.queueUrls.webhookDeliveries.url };
}

/** A long poll ends early only once it has `MaxNumberOfMessages`: tests that wait for one message ask for one. */
async function receive(client: SQSClient, url: string, waitSeconds = 0, visibilityTimeout?: number, max = waitSeconds > 0 ? 1 : 10): Promise<Message[]> {
  const { Messages } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: waitSeconds,
      ...(visibilityTimeout !== undefined ? { VisibilityTimeout: visibilityTimeout } : {}),
      // local-aws-sqs reads the older AttributeNames parameter only.
      AttributeNames: ['All'],
    }),
  );
  return Messages ?? [];
}

describe('local SQS on a data directory', () => {
  it('delivers a message waiting out a backoff after a restart, once the backoff ends, with its receive count', async () => {
    const dataDir = tempDir();
    const first = await startOn(dataDir);
    const { MessageId } = await first.client.send(new SendMessageCommand({ QueueUrl: first.url, MessageBody: 'webhook-1' }));
    const [received] = await receive(first.client, first.url);
    await first.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: first.url, ReceiptHandle: received!.ReceiptHandle, VisibilityTimeout: 2 }));

    const second = await startOn(dataDir);
    const during = await receive(second.client, second.url);
    const after = await receive(second.client, second.url, 5);

    expect(during).toEqual([]);
    expect(after.map((m) => [m.MessageId, m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([[MessageId, 'webhook-1', '2']]);
  });

  it('delivers a delayed message after a restart, when its delay ends', async () => {
    const dataDir = tempDir();
    const first = await startOn(dataDir);
    await first.client.send(new SendMessageCommand({ QueueUrl: first.url, MessageBody: 'later', DelaySeconds: 2 }));

    const second = await startOn(dataDir);
    const during = await receive(second.client, second.url);
    const after = await receive(second.client, second.url, 5);

    expect(during).toEqual([]);
    expect(after.map((m) => m.Body)).toEqual(['later']);
  });

  it('does not bring back a deleted message after a restart', async () => {
    const dataDir = tempDir();
    const first = await startOn(dataDir);
    await first.client.send(new SendMessageCommand({ QueueUrl: first.url, MessageBody: 'done' }));
    await first.client.send(new SendMessageCommand({ QueueUrl: first.url, MessageBody: 'pending' }));
    const received = await receive(first.client, first.url);
    for (const message of received) {
      if (message.Body === 'done') await first.client.send(new DeleteMessageCommand({ QueueUrl: first.url, ReceiptHandle: message.ReceiptHandle }));
      else await first.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: first.url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
    }

    const second = await startOn(dataDir);
    const after = await receive(second.client, second.url, 2, undefined, 10);

    expect(received).toHaveLength(2);
    expect(after.map((m) => m.Body)).toEqual(['pending']);
  });

  it('keeps the send time of a message across a restart', async () => {
    const dataDir = tempDir();
    const first = await startOn(dataDir);
    await first.client.send(new SendMessageCommand({ QueueUrl: first.url, MessageBody: 'old' }));
    const [received] = await receive(first.client, first.url, 0, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const second = await startOn(dataDir);
    const [again] = await receive(second.client, second.url, 5);

    expect(again!.Attributes!.SentTimestamp).toBe(received!.Attributes!.SentTimestamp);
  });
});

describe('local SQS receive counts', () => {
  it('does not count a ChangeMessageVisibility as a receive, as SQS does not', async () => {
    const { client, url } = await startOn(undefined);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'retry-me' }));
    const [first] = await receive(client, url);
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle, VisibilityTimeout: 0 }));

    const [second] = await receive(client, url, 2);

    expect([first!.Attributes?.ApproximateReceiveCount, second!.Attributes?.ApproximateReceiveCount]).toEqual(['1', '2']);
  });
});


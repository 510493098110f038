import {
  ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient, type Message,
} from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueues } from '#application/ops/dead-letters';
import { envGetter } from '#config/env';
import { deadLetterQueueUrlEnv, queueUrlEnv } from '#config/names';
import type { RedrivableQueue } from '#domain/ops/dead-letters';

const client = new SQSClient({});
const urls = new Map<RedrivableQueue, { url: () => string; dlqUrl: () => string }>();
const urlsOf = (queue: RedrivableQueue) => {
  let found = urls.get(queue);
  if (!found) urls.set(queue, (found = { url: envGetter(queueUrlEnv(queue)), dlqUrl: envGetter(deadLetterQueueUrlEnv(queue)) }));
  return found;
};

/** Seconds a read message stays hidden while a peek or a redrive looks through the DLQ; shown again (0) afterwards. */
const READ_VISIBILITY_SECONDS = 30;

const parse = (message: Message): unknown => {
  try {
    return JSON.parse(message.Body ?? '');
  } catch {
    return message.Body;
  }
};

async function receive(dlqUrl: string): Promise<Message[]> {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: READ_VISIBILITY_SECONDS, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'], MessageAttributeNames: ['All'] }),
  );
  return Messages;
}

/** Makes messages this call hid visible again at once (batches of 10). A failure leaves them hidden 30 s: harmless. */
async function showAgain(dlqUrl: string, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    await client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: dlqUrl, Entries: batch.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })) })).catch(() => undefined);
  }
}

const deadLetterOf = (m: Message): DeadLetter => ({
  messageId: m.MessageId ?? '',
  body: parse(m),
  receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
  ...(m.Attributes?.SentTimestamp ? { sentAt: new Date(Number(m.Attributes.SentTimestamp)).toISOString() } : {}),
});

/**
 * SQS DLQs read by receiving (hidden while looked at) and shown again afterwards, as the console of SQS polls them.
 * SQS samples its servers: an empty receive can come before the last message; a later look sees it.
 */
export const sqsDeadLetterQueues: DeadLetterQueues = {
  async peek(queue, max) {
    const { dlqUrl } = urlsOf(queue);
    const read: Message[] = [];
    let complete = false;
    try {
      while (read.length < max) {
        const batch = await receive(dlqUrl());
        if (batch.length === 0) {
          complete = true;
          break;
        }
        read.push(...batch);
      }
    } finally {
      await showAgain(dlqUrl(), read);
    }
    return { messages: read.map(deadLetterOf), complete };
  },

  async redrive(queue, select, max) {
    const { url, dlqUrl } = urlsOf(queue);
    const others: Message[] = [];
    let moved = 0;
    let failed = 0;
    let read = 0;
    let complete = false;
    try {
      while (read < max) {
        const batch = await receive(dlqUrl());
        if (batch.length === 0) {
          complete = true;
          break;
        }
        read += batch.length;
        const chosen = batch.filter((m) => select(parse(m)));
        others.push(...batch.filter((m) => !chosen.includes(m)));
        if (chosen.length === 0) continue;
        const sent = await client.send(
          new SendMessageBatchCommand({ QueueUrl: url(), Entries: chosen.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '', ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}) })) }),
        );
        const done = (sent.Successful ?? []).map((s) => chosen[Number(s.Id)]!);
        failed += chosen.length - done.length;
        // A message that was not sent stays hidden until its visibility lapses, then is a dead letter again.
        if (done.length) {
          const deleted = await client.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl(), Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
          failed += (deleted.Failed ?? []).length;
        }
        moved += done.length;
      }
    } finally {
      await showAgain(dlqUrl(), others);
    }
    return { moved, failed, complete };
  },
};

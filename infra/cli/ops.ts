import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient, type Message,
} from '@aws-sdk/client-sqs';
import { importDemandHistoryFile } from '#application/demand/import-history';
import { reconcileStock } from '#application/inventory/reconcile-stock';
import { dynamoDemandStore } from '#adapters/dynamodb/demand-store';
import { cancelOrder, loadOrder, retryOrder } from '#application/orders/lifecycle';
import { dynamoOrderStore } from '#adapters/dynamodb/order-store';
import { dynamoStockReconcileStore } from '#adapters/dynamodb/stock-reconcile-store';
import { sfnWorkflowStarter } from '#adapters/sfn/workflow-starter';
import { systemClock } from '#adapters/system/system';
import { orderView } from '#http/order-views';

/**
 * The ops commands of `npx dom`, as functions (dom.ts parses the command line, finds the cloud and prints). The
 * adapters read the table name and endpoints from the environment, so these run against whichever cloud it points at.
 */

const lifecycleDeps = { orders: dynamoOrderStore, workflows: sfnWorkflowStarter, clock: systemClock };

export interface QueueLocation {
  /** The topology's queue id (`webhookDeliveries`, ...). */
  queue: string;
  url: string;
  dlqUrl: string;
}

export async function getOrder(tenantId: string, orderId: string) {
  const { order, shipments } = await loadOrder(lifecycleDeps, tenantId, orderId);
  return orderView(order, shipments);
}

/** A FAILED or stuck order gets a new fulfilment attempt (a new workflow execution). */
export function retryOrderNow(tenantId: string, orderId: string) {
  return retryOrder(lifecycleDeps, { tenantId, orderId, correlationId: `cli-${randomUUID()}` });
}

export async function cancelOrderNow(tenantId: string, orderId: string, reason?: string) {
  const order = await cancelOrder(lifecycleDeps, { tenantId, orderId, ...(reason ? { reason } : {}) });
  return orderView(order);
}

/** Runs the stock reconciler now, for one tenant or all; the report lists every drifted item and what was done. */
export async function reconcileNow(options: { tenantId?: string; dryRun?: boolean }) {
  const run = await reconcileStock({ stock: dynamoStockReconcileStore, clock: systemClock }, options);
  return { ...run, failed: run.failed.map(({ tenantId, error }) => ({ tenantId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })) };
}

/**
 * Imports a file of past sales (`date,sku,locationId,units`) as the tenant's demand history: any number of rows,
 * checked whole before anything is written, then written in parts of 5,000 rows. Safe to run again: it sets each day.
 */
export function importDemandHistoryNow(tenantId: string, text: string) {
  return importDemandHistoryFile({ demand: dynamoDemandStore, clock: systemClock }, tenantId, text);
}

let sqsClient: SQSClient | undefined;
const sqs = () => (sqsClient ??= new SQSClient({}));

async function approximateCount(url: string): Promise<number> {
  const { Attributes } = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

/** Every queue with the approximate number of messages waiting in it and in its dead-letter queue. */
export async function listDeadLetters(queues: QueueLocation[]) {
  return Promise.all(queues.map(async ({ queue, url, dlqUrl }) => ({ queue, messages: await approximateCount(url), deadLetters: await approximateCount(dlqUrl) })));
}

const bodyOf = (message: Message) => {
  try {
    return JSON.parse(message.Body ?? '');
  } catch {
    return message.Body;
  }
};

/**
 * Up to 10 messages of a queue's DLQ, left where they are: received with a visibility timeout of 0, so they are
 * visible again at once (SQS samples its servers: a receive may show fewer than there are).
 */
export async function peekDeadLetters(location: QueueLocation) {
  const { Messages = [] } = await sqs().send(
    new ReceiveMessageCommand({ QueueUrl: location.dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
  );
  return {
    queue: location.queue,
    deadLetters: await approximateCount(location.dlqUrl),
    messages: Messages.map((m) => ({ messageId: m.MessageId, receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0), sentAt: m.Attributes?.SentTimestamp ? new Date(Number(m.Attributes.SentTimestamp)).toISOString() : undefined, body: bodyOf(m) })),
  };
}

/**
 * Moves a queue's dead letters back to it: receive up to 10, send them (body and attributes), delete only those sent.
 * A message that could not be sent stays in the DLQ (its visibility timeout of 60 s hides it from this run). Stops
 * when a receive comes back empty, or after `max` messages.
 */
export async function redriveDeadLetters(location: QueueLocation, max = 10_000) {
  let moved = 0;
  const failed: Array<{ messageId?: string; error: string }> = [];
  while (moved + failed.length < max) {
    const { Messages = [] } = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: location.dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
    );
    if (!Messages.length) break;
    const entries = Messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '', ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}) }));
    const sent = await sqs().send(new SendMessageBatchCommand({ QueueUrl: location.url, Entries: entries }));
    for (const failure of sent.Failed ?? []) failed.push({ messageId: Messages[Number(failure.Id)]?.MessageId, error: failure.Message ?? failure.Code ?? 'send failed' });
    const done = (sent.Successful ?? []).map((s) => Messages[Number(s.Id)]!);
    if (done.length) {
      const deleted = await sqs().send(new DeleteMessageBatchCommand({ QueueUrl: location.dlqUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      // Sent but not deleted: it would be redriven twice; consumers are idempotent, but say so.
      for (const failure of deleted.Failed ?? []) failed.push({ messageId: done[Number(failure.Id)]?.MessageId, error: `sent, but not deleted from the DLQ: ${failure.Message ?? failure.Code}` });
    }
    moved += done.length;
  }
  return { queue: location.queue, moved, failed, deadLettersLeft: await approximateCount(location.dlqUrl) };
}

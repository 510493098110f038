import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { DeliveryMessage, DeliveryQueue } from '#application/notifications/ports';
import { webhookDeliveriesQueueUrl } from '#config/webhooks';

const client = new SQSClient({});
/** SendMessageBatch takes at most 10 entries and 256 KiB in all. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 250 * 1024;

export const sqsDeliveryQueue: DeliveryQueue = {
  async send(messages: DeliveryMessage[]) {
    const failed: string[] = [];
    for (const batch of batches(messages)) {
      const entries: SendMessageBatchRequestEntry[] = batch.map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m) }));
      try {
        const result = await client.send(new SendMessageBatchCommand({ QueueUrl: webhookDeliveriesQueueUrl(), Entries: entries }));
        for (const entry of result.Failed ?? []) failed.push(batch[Number(entry.Id)]!.deliveryId);
      } catch {
        failed.push(...batch.map((m) => m.deliveryId));
      }
    }
    return { failed };
  },

  async retryAfter(receiptHandle: string, seconds: number) {
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: webhookDeliveriesQueueUrl(), ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
  },
};

function* batches(messages: DeliveryMessage[]): Generator<DeliveryMessage[]> {
  let batch: DeliveryMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(JSON.stringify(message), 'utf8');
    if (batch.length && (batch.length === MAX_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(message);
    bytes += size;
  }
  if (batch.length) yield batch;
}

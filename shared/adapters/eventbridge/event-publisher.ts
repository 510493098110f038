import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { envGetter } from '#config/env';
import { ENV, EVENT_SOURCE } from '#config/names';
import type { EventPublisher } from '#application/ports';
import type { DomainEvent } from '#events/envelope';

const client = new EventBridgeClient({});
const busName = envGetter(ENV.busName);
/** PutEvents takes at most 10 entries and 256 KiB a call. */
const MAX_ENTRIES = 10;
const MAX_BYTES = 256 * 1024;

/** An entry's size as EventBridge counts it: its strings in UTF-8 bytes, plus 14 for the time. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (value?: string) => (value ? Buffer.byteLength(value) : 0);
  return 14 + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + bytes(entry.EventBusName) + (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0);
}

/** Splits entries, in order, into PutEvents calls: at most 10 entries and 256 KiB each. */
export function putEventsBatches<T extends PutEventsRequestEntry>(entries: T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const entry of entries) {
    const entryBytes = entrySize(entry);
    if (current.length && (current.length === MAX_ENTRIES || size + entryBytes > MAX_BYTES)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += entryBytes;
  }
  if (current.length) batches.push(current);
  return batches;
}

export const eventBridgePublisher: EventPublisher = {
  async publish(events: DomainEvent[]): Promise<{ failed: string[] }> {
    const entries = events.map((event) => ({
      eventId: event.metadata.eventId,
      EventBusName: busName(),
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify({ metadata: event.metadata, data: event.data }),
      Time: new Date(event.metadata.occurredAt),
    }));
    // The calls go out together: EventBridge keeps no order between events anyway, and a batch's latency is then
    // that of its slowest call rather than the sum of all of them.
    const answers = await Promise.all(
      putEventsBatches(entries).map(async (batch) => {
        const result = await client.send(new PutEventsCommand({ Entries: batch.map(({ eventId: _id, ...entry }) => entry) }));
        return (result.Entries ?? []).flatMap((entry, index) => (entry.ErrorCode ? [batch[index]!.eventId] : []));
      }),
    );
    return { failed: answers.flat() };
  },
};

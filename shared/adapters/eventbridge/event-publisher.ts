import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { envGetter } from '#config/env';
import { ENV, EVENT_SOURCE } from '#config/names';
import type { EventPublisher } from '#application/ports';
import type { DomainEvent } from '#events/envelope';

const client = new EventBridgeClient({});
const busName = envGetter(ENV.busName);
/** PutEvents takes at most 10 entries a call. */
const BATCH = 10;

export const eventBridgePublisher: EventPublisher = {
  async publish(events: DomainEvent[]): Promise<{ failed: string[] }> {
    const failed: string[] = [];
    for (let i = 0; i < events.length; i += BATCH) {
      const batch = events.slice(i, i + BATCH);
      const entries: PutEventsRequestEntry[] = batch.map((event) => ({
        EventBusName: busName(),
        Source: EVENT_SOURCE,
        DetailType: event.detailType,
        Detail: JSON.stringify({ metadata: event.metadata, data: event.data }),
        Time: new Date(event.metadata.occurredAt),
      }));
      const result = await client.send(new PutEventsCommand({ Entries: entries }));
      result.Entries?.forEach((entry, index) => {
        if (entry.ErrorCode) failed.push(batch[index]!.metadata.eventId);
      });
    }
    return { failed };
  },
};

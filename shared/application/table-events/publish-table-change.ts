import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { eventsForChange, type ItemChange } from '#domain/table-events/change-events';
import type { EventPublisher } from '../ports.ts';

export class EventPublishFailedError extends Error {
  override readonly name = 'EventPublishFailedError';
  constructor(readonly eventIds: string[]) {
    super(`The bus refused ${eventIds.length} event(s): ${eventIds.join(', ')}`);
  }
}

/** Publishes the events a change implies. Throws if any is refused, so the stream record is retried, not lost. */
export async function publishTableChange(deps: { events: EventPublisher; metrics?: Pick<Metrics, 'addMetric'> }, change: ItemChange): Promise<number> {
  const events = eventsForChange(change);
  if (events.length === 0) return 0;
  const { failed } = await deps.events.publish(events);
  if (failed.length) throw new EventPublishFailedError(failed);
  deps.metrics?.addMetric('EventsPublished', MetricUnit.Count, events.length);
  return events.length;
}

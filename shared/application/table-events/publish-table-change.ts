import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { eventsForChange, type ItemChange } from '#domain/table-events/change-events';
import type { EventPublisher } from '../ports.ts';

export interface PublishDeps {
  events: EventPublisher;
  metrics?: Pick<Metrics, 'addMetric'>;
  /** Told of a change whose events cannot be worked out (it is reported failed, the others still go out). */
  onUnreadable?: (change: ItemChange, error: unknown) => void;
}

export interface TableChangesPublished {
  /** Events the bus accepted. */
  published: number;
  /** The changes (by changeId) with at least one refused event, in stream order: they must be read again. */
  failed: string[];
}

/**
 * Publishes the events a batch of committed changes implies, all of them in one go: the publisher packs them ten to
 * a PutEvents call, where a change at a time cost one call per event. A change with any refused event is reported
 * as failed, so its stream record is retried, never lost (consumers drop the duplicates by event id).
 */
export async function publishTableChanges(deps: PublishDeps, changes: ItemChange[]): Promise<TableChangesPublished> {
  const changeOfEvent = new Map<string, string>();
  const failedChanges = new Set<string>();
  const events = changes.flatMap((change) => {
    try {
      const implied = eventsForChange(change);
      for (const event of implied) changeOfEvent.set(event.metadata.eventId, change.changeId);
      return implied;
    } catch (error) {
      deps.onUnreadable?.(change, error);
      failedChanges.add(change.changeId);
      return [];
    }
  });
  const { failed: refused } = events.length ? await deps.events.publish(events) : { failed: [] };
  for (const eventId of refused) failedChanges.add(changeOfEvent.get(eventId)!);
  const published = events.length - refused.length;
  if (published) deps.metrics?.addMetric('EventsPublished', MetricUnit.Count, published);
  return { published, failed: changes.map((change) => change.changeId).filter((id) => failedChanges.has(id)) };
}

import { describe, expect, it } from 'vitest';
import type { ItemChange } from '#domain/table-events/change-events';
import type { DomainEvent } from '#events/envelope';
import type { EventPublisher } from '../ports.ts';
import { publishTableChanges } from './publish-table-change.ts';

const tenantInserted = (n: number): ItemChange => ({
  changeId: `c${n}`,
  kind: 'INSERT',
  occurredAt: '2026-11-26T18:00:00.000Z',
  newItem: { entity: 'Tenant', tenantId: `t_${String(n).padStart(12, '0')}`, name: `Shop ${n}` },
});
const ignored = (n: number): ItemChange => ({ changeId: `c${n}`, kind: 'MODIFY', occurredAt: '2026-11-26T18:00:00.000Z', newItem: { entity: 'Stock' } });

/** A bus that records each publish call and refuses the events whose ids it is given. */
function bus(refuse: (event: DomainEvent) => boolean = () => false) {
  const calls: DomainEvent[][] = [];
  const publisher: EventPublisher = {
    async publish(events) {
      calls.push(events);
      return { failed: events.filter(refuse).map((e) => e.metadata.eventId) };
    },
  };
  return { publisher, calls };
}

describe('publishTableChanges', () => {
  it('publishes the events of the whole batch in one publish call', async () => {
    const { publisher, calls } = bus();
    const result = await publishTableChanges({ events: publisher }, [tenantInserted(1), ignored(2), tenantInserted(3)]);
    expect(result).toEqual({ published: 2, failed: [] });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((e) => e.metadata.eventId)).toEqual(['c1:TenantCreated', 'c3:TenantCreated']);
  });

  it('reports exactly the changes with a refused event, in stream order', async () => {
    const { publisher } = bus((e) => e.metadata.eventId.startsWith('c3:') || e.metadata.eventId.startsWith('c1:'));
    const result = await publishTableChanges({ events: publisher }, [tenantInserted(1), tenantInserted(2), tenantInserted(3)]);
    expect(result).toEqual({ published: 1, failed: ['c1', 'c3'] });
  });

  it('makes no call when no change implies an event', async () => {
    const { publisher, calls } = bus();
    expect(await publishTableChanges({ events: publisher }, [ignored(1)])).toEqual({ published: 0, failed: [] });
    expect(calls).toHaveLength(0);
  });

  it('reports a change whose events cannot be worked out, and still publishes the others', async () => {
    const { publisher, calls } = bus();
    // An order item without its fields: its event cannot be built (a network without locations now moves nothing).
    const unreadable: ItemChange = { changeId: 'bad', kind: 'INSERT', occurredAt: 'not a time', newItem: { entity: 'Order' } };
    const seen: string[] = [];
    const result = await publishTableChanges({ events: publisher, onUnreadable: (change) => seen.push(change.changeId) }, [unreadable, tenantInserted(2)]);
    expect(result).toEqual({ published: 1, failed: ['bad'] });
    expect(seen).toEqual(['bad']);
    expect(calls.flat().map((e) => e.metadata.eventId)).toEqual(['c2:TenantCreated']);
  });
});

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTBRIDGE_JOURNAL_FILE, startLocalEventBridge, type EventBridgeEvent, type LocalEventBridgeOptions, type LocalRule } from './index.ts';

const BUS = 'dom-bus';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-eventbridge-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Target = LocalRule['targets'][number];

function recorder(id: string): Target & { received: EventBridgeEvent[] } {
  const received: EventBridgeEvent[] = [];
  return { id, received, deliver: async (event) => void received.push(event) };
}

/** A target that never answers: the event stays accepted and undelivered, as when the process is killed mid-delivery. */
const stuck = (id: string): Target => ({ id, deliver: () => new Promise<void>(() => undefined) });

function rulesWith(onAccepted: Target, onAcceptedAudit: Target): LocalRule[] {
  return [
    { name: 'start-fulfilment', pattern: { 'detail-type': ['OrderAccepted'] }, targets: [onAccepted] },
    { name: 'audit', pattern: { source: ['dom.orders'] }, targets: [onAcceptedAudit] },
  ];
}

/**
 * A bus on `dataDir`. A restart starts a second bus on the same directory and abandons the first, unclosed, as a
 * killed process leaves its files (close() would wait for deliveries that never end).
 */
async function startOn(dataDir: string, rules: LocalRule[], extra: Partial<LocalEventBridgeOptions> = {}) {
  const bus = await startLocalEventBridge({ busName: BUS, rules, dataDir, ...extra });
  const client = new EventBridgeClient({ region: 'us-east-1', endpoint: bus.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  cleanups.push(() => client.destroy());
  return { bus, client };
}

const orderAccepted = (orderId: string) => ({ EventBusName: BUS, Source: 'dom.orders', DetailType: 'OrderAccepted', Detail: JSON.stringify({ orderId }) });

describe('local EventBridge on a data directory', () => {
  it('delivers an event accepted before a crash, and not yet delivered, after the restart', async () => {
    const dataDir = tempDir();
    const first = await startOn(dataDir, rulesWith(stuck('fulfil'), stuck('audit')));
    const { Entries } = await first.client.send(new PutEventsCommand({ Entries: [orderAccepted('o-1')] }));

    const fulfil = recorder('fulfil');
    const audit = recorder('audit');
    const second = await startOn(dataDir, rulesWith(fulfil, audit));
    cleanups.push(() => second.bus.close());
    await second.bus.idle();

    expect(fulfil.received.map((e) => [e.id, e.detail])).toEqual([[Entries![0]!.EventId, { orderId: 'o-1' }]]);
    expect(audit.received.map((e) => e.id)).toEqual([Entries![0]!.EventId]);
  });

  it('delivers it again only to the targets that did not have it yet', async () => {
    const dataDir = tempDir();
    const delivered = recorder('audit');
    const first = await startOn(dataDir, rulesWith(stuck('fulfil'), delivered));
    await first.client.send(new PutEventsCommand({ Entries: [orderAccepted('o-2')] }));
    await new Promise((resolve) => setTimeout(resolve, 50));

    const fulfil = recorder('fulfil');
    const audit = recorder('audit');
    const second = await startOn(dataDir, rulesWith(fulfil, audit));
    cleanups.push(() => second.bus.close());
    await second.bus.idle();

    expect(delivered.received).toHaveLength(1);
    expect(fulfil.received).toHaveLength(1);
    expect(audit.received).toEqual([]);
  });

  it('forgets an event once every target has it, so a restart delivers nothing', async () => {
    const dataDir = tempDir();
    const first = await startOn(dataDir, rulesWith(recorder('fulfil'), recorder('audit')));
    await first.client.send(new PutEventsCommand({ Entries: [orderAccepted('o-3'), orderAccepted('o-4')] }));
    await first.bus.close();

    const fulfil = recorder('fulfil');
    const second = await startOn(dataDir, rulesWith(fulfil, recorder('audit')));
    cleanups.push(() => second.bus.close());
    await second.bus.idle();

    expect(fulfil.received).toEqual([]);
    expect(readFileSync(join(dataDir, EVENTBRIDGE_JOURNAL_FILE), 'utf8')).toBe('');
  });

  it('keeps its journal near the size of what is undelivered, however many events pass through', async () => {
    const dataDir = tempDir();
    const { bus, client } = await startOn(dataDir, rulesWith(recorder('fulfil'), recorder('audit')), { journalCompactMinBytes: 16 * 1024 });
    cleanups.push(() => bus.close());
    const journal = join(dataDir, EVENTBRIDGE_JOURNAL_FILE);

    let largest = 0;
    for (let n = 0; n < 200; n++) {
      await client.send(new PutEventsCommand({ Entries: Array.from({ length: 10 }, (_, i) => orderAccepted(`o-${n}-${i}`)) }));
      await bus.idle();
      largest = Math.max(largest, statSync(journal).size);
    }

    // 2,000 events of ~400 journal bytes each (put and done lines) pass; the file never holds more than a threshold's worth.
    expect(largest).toBeLessThan(3 * 16 * 1024);
  });
});

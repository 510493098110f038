import {
  DescribeRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  ListEventBusesCommand,
  ListRulesCommand,
  PutEventsCommand,
  PutRuleCommand,
  ResourceNotFoundException,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalEventBridge } from './index.ts';
import type { DeliveryFailure, EventBridgeEvent, LocalEventBridge, LocalEventBridgeOptions } from './index.ts';

const BUS = 'dom-bus';
const FIXED_NOW = new Date('2030-01-02T03:04:05.678Z');

let bridge: LocalEventBridge | undefined;
let client: EventBridgeClient | undefined;

afterEach(async () => {
  client?.destroy();
  await bridge?.close();
  bridge = undefined;
  client = undefined;
});

async function start(options: Partial<LocalEventBridgeOptions> = {}): Promise<{ bridge: LocalEventBridge; client: EventBridgeClient }> {
  bridge = await startLocalEventBridge({ busName: BUS, rules: [], now: () => FIXED_NOW, ...options });
  client = new EventBridgeClient({
    region: 'us-east-1',
    endpoint: bridge.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { bridge, client };
}

function recorder(id: string): { id: string; received: EventBridgeEvent[]; deliver(event: EventBridgeEvent): Promise<void> } {
  const received: EventBridgeEvent[] = [];
  return {
    id,
    received,
    async deliver(event) {
      received.push(event);
    },
  };
}

const entry = (detailType: string, detail: unknown = { orderId: 'o-1' }) => ({
  EventBusName: BUS,
  Source: 'dom.orders',
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});

describe('local EventBridge over the AWS SDK', () => {
  it('delivers an event to the rules whose pattern matches, and only to them', async () => {
    const accepted = recorder('accepted');
    const shipped = recorder('shipped');
    const { bridge, client } = await start({
      rules: [
        { name: 'on-accepted', pattern: { source: ['dom.orders'], 'detail-type': ['OrderAccepted'] }, targets: [accepted] },
        { name: 'on-shipped', pattern: { 'detail-type': ['OrderShipped'] }, targets: [shipped] },
      ],
    });

    const result = await client.send(new PutEventsCommand({ Entries: [entry('OrderAccepted')] }));
    await bridge.idle();

    expect(result.FailedEntryCount).toBe(0);
    expect(accepted.received).toHaveLength(1);
    expect(shipped.received).toHaveLength(0);
    expect(bridge.stats()).toEqual({
      'on-accepted': { matched: 1, delivered: 1, failed: 0 },
      'on-shipped': { matched: 0, delivered: 0, failed: 0 },
    });
  });

  it('delivers the envelope exactly as AWS does, with the EventId answered by PutEvents', async () => {
    const target = recorder('t');
    const { bridge, client } = await start({
      accountId: '111122223333',
      rules: [{ name: 'all-orders', pattern: { source: ['dom.orders'] }, targets: [target] }],
    });

    const result = await client.send(
      new PutEventsCommand({ Entries: [{ ...entry('OrderAccepted', { orderId: 'o-7', lines: [1, 2] }), Resources: ['arn:x'] }] }),
    );
    await bridge.idle();

    expect(target.received[0]).toEqual({
      version: '0',
      id: result.Entries?.[0]?.EventId,
      'detail-type': 'OrderAccepted',
      source: 'dom.orders',
      account: '111122223333',
      time: '2030-01-02T03:04:05Z',
      region: 'us-east-1',
      resources: ['arn:x'],
      detail: { orderId: 'o-7', lines: [1, 2] },
    });
    expect(result.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('uses the Time given on the entry, at second precision', async () => {
    const target = recorder('t');
    const { bridge, client } = await start({ rules: [{ name: 'r', pattern: { source: ['dom.orders'] }, targets: [target] }] });

    await client.send(new PutEventsCommand({ Entries: [{ ...entry('OrderAccepted'), Time: new Date('2024-05-06T07:08:09Z') }] }));
    await bridge.idle();

    expect(target.received[0]?.time).toBe('2024-05-06T07:08:09Z');
  });

  it('reports per-entry errors with FailedEntryCount and still accepts the valid entries', async () => {
    const target = recorder('t');
    const { bridge, client } = await start({ rules: [{ name: 'r', pattern: { source: ['dom.orders'] }, targets: [target] }] });

    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          entry('OrderAccepted'),
          { EventBusName: BUS, DetailType: 'NoSource', Detail: '{}' },
          { EventBusName: BUS, Source: 'dom.orders', Detail: '{}' },
          { EventBusName: BUS, Source: 'dom.orders', DetailType: 'Bad', Detail: '{not json' },
          { EventBusName: BUS, Source: 'dom.orders', DetailType: 'Array', Detail: '[1,2]' },
          { EventBusName: 'no-such-bus', Source: 'dom.orders', DetailType: 'X', Detail: '{}' },
          { EventBusName: BUS, Source: 'aws.ec2', DetailType: 'X', Detail: '{}' },
        ],
      }),
    );
    await bridge.idle();

    expect(result.FailedEntryCount).toBe(6);
    expect(result.Entries?.map((e) => e.ErrorCode)).toEqual([
      undefined,
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'ResourceNotFoundException',
      'NotAuthorizedForSourceException',
    ]);
    expect(result.Entries?.[1]?.ErrorMessage).toContain('Source is a required argument');
    expect(result.Entries?.[0]?.EventId).toBeDefined();
    expect(target.received).toHaveLength(1);
  });

  it('rejects more than 10 entries in one call with a ValidationException', async () => {
    const { client } = await start();

    const call = client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry('OrderAccepted')) }));

    await expect(call).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('rejects a call whose entries exceed 256 KB in total', async () => {
    const { client } = await start();
    const big = JSON.stringify({ blob: 'x'.repeat(100 * 1024) });

    const call = client.send(
      new PutEventsCommand({ Entries: [1, 2, 3].map(() => ({ ...entry('OrderAccepted'), Detail: big })) }),
    );

    await expect(call).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('accepts the bus by ARN and the default bus, where no topology rule listens', async () => {
    const target = recorder('t');
    const { bridge, client } = await start({ rules: [{ name: 'r', pattern: { source: ['dom.orders'] }, targets: [target] }] });

    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          { ...entry('ByArn'), EventBusName: bridge.busArn },
          { ...entry('OnDefault'), EventBusName: undefined },
        ],
      }),
    );
    await bridge.idle();

    expect(result.FailedEntryCount).toBe(0);
    expect(target.received.map((event) => event['detail-type'])).toEqual(['ByArn']);
  });

  it('retries a failing target with backoff, then hands the event to onDeliveryFailure', async () => {
    let calls = 0;
    const failures: DeliveryFailure[] = [];
    const { bridge, client } = await start({
      retry: { attempts: 3, baseDelayMs: 5 },
      onDeliveryFailure: (failure) => {
        failures.push(failure);
      },
      rules: [
        {
          name: 'flaky',
          pattern: { source: ['dom.orders'] },
          targets: [
            {
              id: 'always-fails',
              deliver: async () => {
                calls += 1;
                throw new Error('target down');
              },
            },
          ],
        },
      ],
    });

    const result = await client.send(new PutEventsCommand({ Entries: [entry('OrderAccepted')] }));
    await bridge.idle();

    expect(calls).toBe(3);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ rule: 'flaky', target: 'always-fails', event: { id: result.Entries?.[0]?.EventId } });
    expect((failures[0]?.error as Error).message).toBe('target down');
    expect(bridge.stats().flaky).toEqual({ matched: 1, delivered: 0, failed: 1 });
  });

  it('counts a target that succeeds on a retry as delivered, not failed', async () => {
    let calls = 0;
    const { bridge, client } = await start({
      retry: { attempts: 3, baseDelayMs: 1 },
      rules: [
        {
          name: 'recovers',
          pattern: { source: ['dom.orders'] },
          targets: [
            {
              id: 't',
              deliver: async () => {
                calls += 1;
                if (calls < 2) throw new Error('blip');
              },
            },
          ],
        },
      ],
    });

    await client.send(new PutEventsCommand({ Entries: [entry('OrderAccepted')] }));
    await bridge.idle();

    expect(calls).toBe(2);
    expect(bridge.stats().recovers).toEqual({ matched: 1, delivered: 1, failed: 0 });
  });

  it('answers PutEvents before delivering, and idle() resolves once delivery is done', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const delivered: string[] = [];
    const { bridge, client } = await start({
      rules: [
        {
          name: 'slow',
          pattern: { source: ['dom.orders'] },
          targets: [
            {
              id: 't',
              deliver: async (event) => {
                await gate;
                delivered.push(event.id);
              },
            },
          ],
        },
      ],
    });

    await client.send(new PutEventsCommand({ Entries: [entry('OrderAccepted')] }));
    let idle = false;
    const waiting = bridge.idle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(delivered).toHaveLength(0);
    expect(idle).toBe(false);
    release();
    await waiting;
    expect(delivered).toHaveLength(1);
  });

  it('keeps the order of the events of one PutEvents call for each rule', async () => {
    const order: string[] = [];
    const { bridge, client } = await start({
      rules: [
        {
          name: 'ordered',
          pattern: { source: ['dom.orders'] },
          targets: [
            {
              id: 't',
              // Earlier events take longer, so any concurrency between them would reorder the result.
              deliver: async (event) => {
                const n = (event.detail as { n: number }).n;
                await new Promise((resolve) => setTimeout(resolve, (10 - n) * 3));
                order.push(String(n));
              },
            },
          ],
        },
      ],
    });

    await client.send(
      new PutEventsCommand({ Entries: Array.from({ length: 10 }, (_, n) => entry('OrderAccepted', { n })) }),
    );
    await bridge.idle();

    expect(order).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('evaluates TestEventPattern with the same matcher', async () => {
    const { client } = await start();
    const event = JSON.stringify({
      id: '1',
      account: '000000000000',
      source: 'dom.orders',
      time: '2030-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'OrderAccepted',
      detail: { total: 120 },
    });

    const hit = await client.send(
      new TestEventPatternCommand({ EventPattern: JSON.stringify({ detail: { total: [{ numeric: ['>', 100] }] } }), Event: event }),
    );
    const miss = await client.send(
      new TestEventPatternCommand({ EventPattern: JSON.stringify({ detail: { total: [{ numeric: ['<', 100] }] } }), Event: event }),
    );

    expect(hit.Result).toBe(true);
    expect(miss.Result).toBe(false);
  });

  it('raises InvalidEventPatternException for an invalid pattern in TestEventPattern', async () => {
    const { client } = await start();

    const call = client.send(
      new TestEventPatternCommand({
        EventPattern: JSON.stringify({ source: [] }),
        Event: JSON.stringify({ id: '1', account: 'a', source: 's', time: 't', region: 'r', resources: [], 'detail-type': 'd' }),
      }),
    );

    await expect(call).rejects.toBeInstanceOf(InvalidEventPatternException);
    await expect(call).rejects.toThrow(/Empty arrays are not allowed/);
  });

  it('lists and describes the topology rules of the configured bus', async () => {
    const { bridge, client } = await start({
      accountId: '111122223333',
      rules: [{ name: 'on-accepted', pattern: { 'detail-type': ['OrderAccepted'] }, targets: [] }],
    });

    const listed = await client.send(new ListRulesCommand({ EventBusName: BUS }));
    const described = await client.send(new DescribeRuleCommand({ Name: 'on-accepted', EventBusName: bridge.busArn }));

    expect(listed.Rules?.map((rule) => rule.Name)).toEqual(['on-accepted']);
    expect(described).toMatchObject({
      Name: 'on-accepted',
      Arn: `arn:aws:events:us-east-1:111122223333:rule/${BUS}/on-accepted`,
      EventBusName: BUS,
      State: 'ENABLED',
    });
    expect(JSON.parse(described.EventPattern ?? '')).toEqual({ 'detail-type': ['OrderAccepted'] });
  });

  it('raises ResourceNotFoundException for an unknown rule', async () => {
    const { client } = await start();

    await expect(client.send(new DescribeRuleCommand({ Name: 'nope', EventBusName: BUS }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('lists the default bus and the configured bus', async () => {
    const { bridge, client } = await start();

    const result = await client.send(new ListEventBusesCommand({}));

    expect(result.EventBuses?.map((bus) => bus.Name)).toEqual(['default', BUS]);
    expect(result.EventBuses?.[1]?.Arn).toBe(bridge.busArn);
  });

  it('refuses PutRule, because rules come from the topology', async () => {
    const { client } = await start();

    await expect(client.send(new PutRuleCommand({ Name: 'x', EventPattern: '{"source":["a"]}' }))).rejects.toThrow(
      /come from infra\/topology.ts/,
    );
  });

  it('accepts an unsigned JSON 1.1 request and answers errors as {__type, message}', async () => {
    const { bridge } = await start();
    const call = (target: string, body: unknown) =>
      fetch(bridge.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
        body: JSON.stringify(body),
      });

    const ok = await call('AWSEvents.ListEventBuses', {});
    const unknown = await call('AWSEvents.DescribeRule', { Name: 'nope', EventBusName: BUS });

    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      __type: 'ResourceNotFoundException',
      message: `Rule nope does not exist on EventBus ${BUS}.`,
    });
  });

  it('refuses to start with an invalid rule pattern and names the rule', async () => {
    await expect(start({ rules: [{ name: 'broken', pattern: { source: [] }, targets: [] }] })).rejects.toThrow(
      /Rule "broken": Event pattern is not valid/,
    );
  });
});

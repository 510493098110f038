// The priority port: a request on it starts ahead of the ordinary port's backlog, and both ports serve one table.
import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createTable, startHarness, type Harness } from './test-support.ts';

const BACKLOG = 400;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** One socket per request, so the whole backlog reaches the server at once instead of waiting for free sockets. */
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

function putItem(endpoint: string, table: string, pk: string): Promise<number> {
  const url = new URL(endpoint);
  const body = JSON.stringify({ TableName: table, Item: { pk: { S: pk }, sk: { S: 'item' }, data: { S: 'x'.repeat(200) } } });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: 'POST', path: '/', agent, headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.PutItem' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends a backlog on the ordinary port, waits until a quarter of it is answered, then sends one request on `late`:
 * returns how many backlog answers came before the late one's.
 */
async function answersBeforeLateRequest(server: Harness['server'], table: string, late: string): Promise<number> {
  let answered = 0;
  let quarter: () => void;
  const quarterAnswered = new Promise<void>((resolve) => (quarter = resolve));
  const backlog = Array.from({ length: BACKLOG }, (_, i) =>
    putItem(server.endpoint, table, `backlog-${i}`).then((status) => {
      expect(status).toBe(200);
      if (++answered === BACKLOG / 4) quarter();
    }),
  );
  await quarterAnswered;
  expect(await putItem(late, table, 'late')).toBe(200);
  const before = answered;
  await Promise.all(backlog);
  return before;
}

describe('the priority endpoint', () => {
  it('is only there when asked for', async () => {
    h = await startHarness();
    expect(h.server.priorityEndpoint).toBeUndefined();
  });

  it('serves the same table as the ordinary endpoint', async () => {
    h = await startHarness({ priorityEndpoint: true });
    const { name } = await createTable(h.ddb);

    expect(await putItem(h.server.priorityEndpoint!, name, 'from-priority')).toBe(200);
    const got = await fetch(h.server.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.GetItem' },
      body: JSON.stringify({ TableName: name, Key: { pk: { S: 'from-priority' }, sk: { S: 'item' } } }),
    });
    expect(((await got.json()) as { Item?: unknown }).Item).toBeDefined();
  });

  it('answers a late request ahead of the backlog already waiting on the ordinary port', async () => {
    h = await startHarness({ priorityEndpoint: true });
    const { name } = await createTable(h.ddb);

    const before = await answersBeforeLateRequest(h.server, name, h.server.priorityEndpoint!);

    // The late request waits for one slice of the backlog at most, not for the three quarters still queued.
    expect(before).toBeLessThan(BACKLOG / 2);
  });

  it('leaves a late request on the ordinary port behind the backlog (the control)', async () => {
    h = await startHarness({ priorityEndpoint: true });
    const { name } = await createTable(h.ddb);

    const before = await answersBeforeLateRequest(h.server, name, h.server.endpoint);

    expect(before).toBeGreaterThan(BACKLOG * 0.9);
  });
});

import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pinnedWebhookSender, type ResolvedAddress, type Resolver } from './webhook-sender.ts';

/**
 * The sender against real servers on loopback, with a scripted resolver standing in for DNS. The certificate in
 * fixtures/ names hooks.example.test (self-signed, valid until 2126); the sender is given it as a trust anchor.
 */

const cert = readFileSync(new URL('./fixtures/hooks.example.test.crt', import.meta.url));
const key = readFileSync(new URL('./fixtures/hooks.example.test.key', import.meta.url));
const local = { allowInsecureLoopback: true };
const strict = { allowInsecureLoopback: false };
const headers = { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': '1796320800', 'webhook-signature': 'v1,c2lnbmF0dXJl' };
const body = '{"type":"OrderAllocated"}';

interface Hit {
  server: string;
  path: string;
  host: string | undefined;
  servername: string | false | null | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

const hits: Hit[] = [];
let respond: (req: IncomingMessage, res: ServerResponse) => void;

function recorder(name: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const servername = (req.socket as Partial<TLSSocket>).servername;
      hits.push({ server: name, path: req.url ?? '', host: req.headers.host, servername, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      respond(req, res);
    });
  };
}

const servers: Server[] = [];
function listen(server: Server, port: number, host: string): Promise<number> {
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Answers each lookup with the next scripted answer (the last one repeats), and remembers what was asked. */
function scriptedResolver(...answers: ResolvedAddress[][]): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (host: string) => {
    asked.push(host);
    return answers[Math.min(asked.length - 1, answers.length - 1)]!;
  };
  return Object.assign(resolve, { asked });
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

let tlsPort: number;
let plainPort: number;

beforeAll(async () => {
  // The same port on 127.0.0.1 and ::1, so a URL reaches one or the other only by the address it connects to.
  tlsPort = await listen(createHttpsServer({ cert, key }, recorder('127.0.0.1')), 0, '127.0.0.1');
  await listen(createHttpsServer({ cert, key }, recorder('::1')), tlsPort, '::1');
  plainPort = await listen(createHttpServer(recorder('plain')), 0, '127.0.0.1');
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

beforeEach(() => {
  hits.length = 0;
  respond = (_req, res) => {
    res.statusCode = 204;
    res.end();
  };
});

describe('the webhook sender', () => {
  it('connects to the address the check saw, even when the name answers another address the next time', async () => {
    const resolve = scriptedResolver([v4('127.0.0.1')], [v6('::1')]);
    const sender = pinnedWebhookSender(local, { resolve, ca: cert });

    const first = await sender.post(`https://hooks.example.test:${tlsPort}/hook`, headers, body, 5_000);

    expect(first).toMatchObject({ statusCode: 204 });
    expect(resolve.asked).toEqual(['hooks.example.test']);
    expect(hits.map((hit) => hit.server)).toEqual(['127.0.0.1']);
  });

  it('resolves again on the next attempt and connects to what that check saw', async () => {
    const resolve = scriptedResolver([v4('127.0.0.1')], [v6('::1')]);
    const sender = pinnedWebhookSender(local, { resolve, ca: cert });

    await sender.post(`https://hooks.example.test:${tlsPort}/hook`, headers, body, 5_000);
    await sender.post(`https://hooks.example.test:${tlsPort}/hook`, headers, body, 5_000);

    expect(resolve.asked).toHaveLength(2);
    expect(hits.map((hit) => hit.server)).toEqual(['127.0.0.1', '::1']);
  });

  it('keeps the host name for the Host header, TLS server name and certificate, and sends headers and body unchanged', async () => {
    const sender = pinnedWebhookSender(local, { resolve: scriptedResolver([v4('127.0.0.1')]), ca: cert });

    await sender.post(`https://hooks.example.test:${tlsPort}/dom?x=1`, headers, body, 5_000);

    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ path: '/dom?x=1', host: `hooks.example.test:${tlsPort}`, servername: 'hooks.example.test', body });
    expect(hits[0]!.headers).toMatchObject(headers);
  });

  it('refuses a certificate that does not name the URL\'s host, though the address was allowed', async () => {
    const sender = pinnedWebhookSender(local, { resolve: scriptedResolver([v4('127.0.0.1')]), ca: cert });

    const response = await sender.post(`https://other.example.test:${tlsPort}/hook`, headers, body, 5_000);

    expect(response).toMatchObject({ error: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(response.statusCode).toBeUndefined();
    expect(hits).toHaveLength(0);
  });

  it.each([
    ['loopback', [v4('127.0.0.1')], '127.0.0.1'],
    ['the metadata service among public addresses', [v4('93.184.215.14'), v4('169.254.169.254')], '169.254.169.254'],
    ['private IPv6 (the AWS IMDS address)', [v6('2606:4700::6810:84e5'), v6('fd00:ec2::254')], 'fd00:ec2::254'],
    ['IPv4-mapped loopback', [v6('::ffff:127.0.0.1')], '::ffff:127.0.0.1'],
    ['IPv4-mapped metadata in hex', [v6('::ffff:a9fe:a9fe')], '::ffff:a9fe:a9fe'],
    ['IPv6 link-local', [v6('fe80::1')], 'fe80::1'],
  ])('refuses the attempt when the name answers %s, and connects nowhere', async (_what, answer, refused) => {
    const sender = pinnedWebhookSender(strict, { resolve: scriptedResolver(answer), ca: cert });

    const response = await sender.post(`https://hooks.example.test:${tlsPort}/hook`, headers, body, 5_000);

    expect(response).toMatchObject({ error: `refused address ${refused}` });
    expect(hits).toHaveLength(0);
  });

  it('refuses a URL the policy refuses without resolving it', async () => {
    const resolve = scriptedResolver([v4('93.184.215.14')]);
    const sender = pinnedWebhookSender(strict, { resolve });

    const response = await sender.post('http://hooks.example.test/hook', headers, body, 5_000);

    expect(response.error).toBe('refused URL: must use https');
    expect(resolve.asked).toHaveLength(0);
  });

  it('connects to an IP address in the URL without resolving anything', async () => {
    const resolve = scriptedResolver([v6('::1')]);
    const sender = pinnedWebhookSender(local, { resolve });

    const response = await sender.post(`http://127.0.0.1:${plainPort}/hook`, headers, body, 5_000);

    expect(response).toMatchObject({ statusCode: 204 });
    expect(resolve.asked).toHaveLength(0);
    expect(hits.map((hit) => hit.server)).toEqual(['plain']);
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    respond = (_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${plainPort}/elsewhere` });
      res.end();
    };
    const sender = pinnedWebhookSender(local);

    const response = await sender.post(`http://127.0.0.1:${plainPort}/hook`, headers, body, 5_000);

    expect(response).toMatchObject({ statusCode: 307 });
    expect(hits.map((hit) => hit.path)).toEqual(['/hook']);
  });

  it('times out a slow response, and a lookup that never answers', async () => {
    respond = () => undefined; // never answers
    const slowServer = pinnedWebhookSender(local);
    const slowDns = pinnedWebhookSender(local, { resolve: () => new Promise(() => undefined) });

    expect(await slowServer.post(`http://127.0.0.1:${plainPort}/hook`, headers, body, 200)).toMatchObject({ error: 'timed out after 200 ms' });
    expect(await slowDns.post('https://hooks.example.test/hook', headers, body, 200)).toMatchObject({ error: 'timed out after 200 ms' });
  });

  it('describes a failure by its code, never echoing a header value', async () => {
    const sender = pinnedWebhookSender(local);
    const unsendable = { ...headers, 'webhook-signature': 'v1,c2lnbmF0dXJl\r\nx-injected: 1' };

    const response = await sender.post(`http://127.0.0.1:${plainPort}/hook`, unsendable, body, 1_000);

    expect(response.error).toBe('ERR_INVALID_CHAR');
    expect(hits).toHaveLength(0);
  });

  it('reports a name with no address as ENOTFOUND', async () => {
    const sender = pinnedWebhookSender(strict, { resolve: scriptedResolver([]) });

    expect(await sender.post('https://hooks.example.test/hook', headers, body, 1_000)).toMatchObject({ error: 'ENOTFOUND' });
  });
});

import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { WebhookSender } from '#application/notifications/ports';
import { checkWebhookUrl, hostOf, isAllowedAddress, type UrlPolicy } from '#domain/notifications/url-policy';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to, in the resolver's order. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

/** The operating system's resolver (getaddrinfo), as `fetch` and `http.request` use it. */
export const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

export interface WebhookSenderOptions {
  resolve?: Resolver;
  /** Extra trust anchors for https targets (tests with their own certificate); the system's CAs otherwise. */
  ca?: string | Buffer;
}

/**
 * POSTs with node:http / node:https, connecting only to addresses it has checked. Each attempt checks the URL against
 * the policy again, resolves the host once, refuses the attempt if any address is refused, and hands the checked
 * addresses to the socket through `lookup`, so nothing resolves the name a second time: a name that answers a public
 * address to the check and 169.254.169.254 a moment later (DNS rebinding) still only reaches the public one. The URL's
 * host name stays the Host header, the TLS server name and the name the certificate must carry. Each attempt opens its
 * own connection (no pooled socket from an earlier resolution). Redirects are not followed: a 3xx is a failed attempt.
 */
export function pinnedWebhookSender(policy: UrlPolicy, options: WebhookSenderOptions = {}): WebhookSender {
  const resolve = options.resolve ?? systemResolver;
  return {
    async post(url, headers, body, timeoutMs) {
      const started = performance.now();
      const elapsed = () => performance.now() - started;
      // One deadline for the lookup, the connection and the response headers.
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const verdict = checkWebhookUrl(url, policy);
        if (!verdict.ok) return { error: `refused URL: ${verdict.reason}`, latencyMs: elapsed() };
        const host = hostOf(verdict.url);
        const family = isIP(host);
        const addresses = family ? [{ address: host, family: family as 4 | 6 }] : await untilAborted(resolve(host), signal);
        if (addresses.length === 0) return { error: 'ENOTFOUND', latencyMs: elapsed() };
        const refused = addresses.find(({ address }) => !isAllowedAddress(address, policy));
        if (refused) return { error: `refused address ${refused.address}`, latencyMs: elapsed() };
        const statusCode = await postTo(verdict.url, pinnedLookup(host, addresses), headers, body, signal, options.ca);
        return { statusCode, latencyMs: elapsed() };
      } catch (error) {
        return { error: describe(error, timeoutMs), latencyMs: elapsed() };
      }
    },
  };
}

/**
 * A `lookup` for one connection that answers only with the checked addresses. Node calls it with `all: true` when it
 * tries several addresses (happy eyeballs, on by default in Node 20), otherwise for one address of a family.
 */
export function pinnedLookup(host: string, addresses: ResolvedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    if (hostname.toLowerCase() !== host || wanted.length === 0) {
      const error: NodeJS.ErrnoException = new Error(`no checked address for ${hostname}`);
      error.code = 'ENOTFOUND';
      callback(error, '', 0);
    } else if (options.all) callback(null, wanted.map(({ address, family }) => ({ address, family })));
    else callback(null, wanted[0]!.address, wanted[0]!.family);
  };
}

function postTo(url: URL, lookup: LookupFunction, headers: Record<string, string>, body: string, signal: AbortSignal, ca: string | Buffer | undefined): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const options: RequestOptions & { ca?: string | Buffer } = {
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup,
    // A fresh agent per attempt: a kept-alive socket would be one connected after an earlier lookup.
    agent: false,
    signal,
    ...(ca !== undefined ? { ca } : {}),
  };
  return new Promise((resolve, reject) => {
    const outgoing = request(url, options, (response) => {
      // Only the status matters; the body is dropped unread and the connection closed.
      resolve(response.statusCode ?? 0);
      response.destroy();
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Why an attempt got no response: an error code or a short message, never the request's headers. */
function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `timed out after ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  const code = cause?.code ?? (error as { code?: string } | undefined)?.code;
  return code ? String(code) : error instanceof Error ? error.message.slice(0, 200) : 'request failed';
}

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { WebhookSender } from '#application/notifications/ports';
import { hostOf, isAllowedAddress, type UrlPolicy } from '#domain/notifications/url-policy';

/**
 * POSTs with Node's fetch. Before each attempt the host's addresses are resolved and checked against the URL policy,
 * so a name that has come to resolve to a private or metadata address is refused; redirects are not followed (a 3xx
 * is a failed attempt), so a public endpoint cannot bounce us inward either.
 */
export function fetchWebhookSender(policy: UrlPolicy): WebhookSender {
  return {
    async post(url, headers, body, timeoutMs) {
      const started = performance.now();
      const elapsed = () => performance.now() - started;
      try {
        const refused = await refusedAddress(new URL(url), policy);
        if (refused) return { error: `refused address ${refused}`, latencyMs: elapsed() };
        const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
        // Only the status matters; the body is dropped unread so the connection is freed.
        await response.body?.cancel().catch(() => undefined);
        return { statusCode: response.status, latencyMs: elapsed() };
      } catch (error) {
        return { error: describe(error, timeoutMs), latencyMs: elapsed() };
      }
    },
  };
}

async function refusedAddress(url: URL, policy: UrlPolicy): Promise<string | undefined> {
  const host = hostOf(url);
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  return addresses.find((address) => !isAllowedAddress(address, policy));
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `timed out after ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  const code = cause?.code ?? (error as { code?: string } | undefined)?.code;
  return code ? String(code) : error instanceof Error ? error.message.slice(0, 200) : 'request failed';
}

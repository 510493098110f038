import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures following the Standard Webhooks convention (https://www.standardwebhooks.com): the secret is
 * `whsec_<base64 key>`, and each request carries
 *   webhook-id:        the delivery's id, the same on every retry (receivers dedupe on it)
 *   webhook-timestamp: the attempt's time in epoch seconds (receivers refuse stale ones, against replay)
 *   webhook-signature: `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, space-separated when several
 */
export const SECRET_PREFIX = 'whsec_';
export const SIGNATURE_VERSION = 'v1';
/** How far a receiver should let `webhook-timestamp` drift from its clock. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export const HEADER = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

/** `whsec_<base64>` from the key's random bytes. */
export function formatSigningSecret(key: Uint8Array): string {
  return `${SECRET_PREFIX}${Buffer.from(key).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export interface SignedContent {
  id: string;
  /** Epoch seconds. */
  timestamp: number;
  body: string;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function sign(secret: string, content: SignedContent): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${content.id}.${content.timestamp}.${content.body}`, 'utf8').digest('base64');
  return `${SIGNATURE_VERSION},${mac}`;
}

/** The headers of one delivery attempt. */
export function signedHeaders(secret: string, content: SignedContent): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'OpenDOM-Webhooks/1.0',
    [HEADER.id]: content.id,
    [HEADER.timestamp]: String(content.timestamp),
    [HEADER.signature]: sign(secret, content),
  };
}

/**
 * What a receiver does: true when one of the header's signatures matches and the timestamp is within the tolerance.
 * Compared in constant time.
 */
export function verify(
  secret: string,
  request: { id: string; timestamp: string; signature: string; body: string },
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  const timestamp = Number(request.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, { id: request.id, timestamp, body: request.body }));
  return request.signature.split(' ').some((candidate) => {
    const presented = Buffer.from(candidate);
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  });
}

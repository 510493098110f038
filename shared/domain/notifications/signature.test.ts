import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatSigningSecret, sign, signedHeaders, verify } from './signature.ts';

const secret = formatSigningSecret(Buffer.alloc(32, 7));
const content = { id: 'msg_1', timestamp: 1_700_000_000, body: '{"type":"OrderAllocated"}' };

describe('webhook signatures', () => {
  it('formats the secret as whsec_ and base64 of the key', () => {
    expect(secret).toBe(`whsec_${Buffer.alloc(32, 7).toString('base64')}`);
  });

  it('signs "id.timestamp.body" with HMAC-SHA256 of the decoded key, as v1,<base64>', () => {
    const expected = createHmac('sha256', Buffer.alloc(32, 7)).update('msg_1.1700000000.{"type":"OrderAllocated"}').digest('base64');
    expect(sign(secret, content)).toBe(`v1,${expected}`);
  });

  it('matches the Standard Webhooks reference vector', () => {
    // From the standard-webhooks specification's test suite.
    const signature = sign('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
    });
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('puts id, timestamp and signature in the headers', () => {
    const headers = signedHeaders(secret, content);
    expect(headers).toMatchObject({ 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'content-type': 'application/json' });
    expect(headers['webhook-signature']).toBe(sign(secret, content));
  });

  it('verifies a good signature, among several, within the tolerance', () => {
    const request = { id: 'msg_1', timestamp: '1700000000', body: content.body, signature: `v1,bm9wZQ== ${sign(secret, content)}` };
    expect(verify(secret, request, 1_700_000_100)).toBe(true);
  });

  it('refuses a changed body, another secret, or a stale timestamp', () => {
    const request = { id: 'msg_1', timestamp: '1700000000', body: content.body, signature: sign(secret, content) };
    expect(verify(secret, { ...request, body: '{"type":"OrderCancelled"}' }, 1_700_000_000)).toBe(false);
    expect(verify(formatSigningSecret(Buffer.alloc(32, 8)), request, 1_700_000_000)).toBe(false);
    expect(verify(secret, request, 1_700_000_000 + 301)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { isDelivered, RETRY_CAP_SECONDS, retryDelaySeconds } from './backoff.ts';

describe('webhook retry backoff', () => {
  it('doubles with each receive: 2, 4, 8, ... seconds', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(n))).toEqual([2, 4, 8, 16, 32]);
  });

  it('is capped at one hour, whatever the receive count', () => {
    expect(retryDelaySeconds(12)).toBe(RETRY_CAP_SECONDS);
    expect(retryDelaySeconds(1000)).toBe(RETRY_CAP_SECONDS);
    expect(retryDelaySeconds(20, 60)).toBe(60);
  });

  it('treats a missing or nonsensical receive count as the first', () => {
    expect(retryDelaySeconds(0)).toBe(2);
    expect(retryDelaySeconds(Number.NaN)).toBe(2);
  });

  it('counts only 2xx as delivered', () => {
    expect([200, 202, 204, 299].every(isDelivered)).toBe(true);
    expect([undefined, 199, 301, 400, 410, 500].some(isDelivered)).toBe(false);
  });
});

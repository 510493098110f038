/**
 * Retry schedule of a failed webhook delivery: the message stays hidden on its queue for 2^n seconds after its n-th
 * failed receive, capped. With the queue's maxReceiveCount of 15 that is 2 s, 4 s, ... 2048 s, then 1 h: about four
 * hours of retries before the message moves to the dead-letter queue.
 */
export const RETRY_CAP_SECONDS = 3600;
/** SQS refuses a visibility timeout above 12 h. */
const SQS_MAX_VISIBILITY_SECONDS = 43_200;

export function retryDelaySeconds(receiveCount: number, capSeconds = RETRY_CAP_SECONDS): number {
  const n = Number.isFinite(receiveCount) ? Math.max(1, Math.floor(receiveCount)) : 1;
  return Math.min(2 ** Math.min(n, 30), capSeconds, SQS_MAX_VISIBILITY_SECONDS);
}

/** Whether an HTTP status means the receiver took the delivery. Redirects are not followed, so a 3xx is a failure. */
export function isDelivered(statusCode: number | undefined): boolean {
  return statusCode !== undefined && statusCode >= 200 && statusCode < 300;
}

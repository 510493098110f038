export class InvalidWebhookUrlError extends Error {
  override readonly name = 'InvalidWebhookUrlError';
  constructor(readonly reason: string) {
    super(`The webhook URL ${reason}`);
  }
}

export class WebhookLimitError extends Error {
  override readonly name = 'WebhookLimitError';
  constructor(readonly max: number) {
    super(`A tenant can have at most ${max} webhook subscriptions; delete one first`);
  }
}

export class WebhookNotFoundError extends Error {
  override readonly name = 'WebhookNotFoundError';
  constructor(readonly webhookId: string) {
    super(`Webhook ${webhookId} does not exist`);
  }
}

/** Some delivery messages could not be queued; the event is retried (the ones that were queued are not sent twice). */
export class DeliveryEnqueueError extends Error {
  override readonly name = 'DeliveryEnqueueError';
  constructor(readonly deliveryIds: string[]) {
    super(`${deliveryIds.length} webhook deliveries could not be queued`);
  }
}

/** A delivery attempt failed; its message comes back after the backoff. */
export class WebhookDeliveryFailedError extends Error {
  override readonly name = 'WebhookDeliveryFailedError';
  constructor(
    readonly deliveryId: string,
    readonly attempt: number,
    readonly retryInSeconds: number,
    outcome: string,
  ) {
    super(`Delivery ${deliveryId} attempt ${attempt} failed (${outcome}); next attempt in ${retryInSeconds} s`);
  }
}

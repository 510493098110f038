import { InvalidWebhookUrlError, WebhookLimitError, WebhookNotFoundError } from '#application/notifications/errors';
import { BadRequestError, ConflictError, NotFoundError, ValidationError } from './problem.ts';

/** Maps the webhook use cases' errors to problems; anything else is rethrown (a 500). */
export function webhookProblem(error: unknown): never {
  if (error instanceof InvalidWebhookUrlError) throw new ValidationError([{ field: 'url', message: error.reason }]);
  if (error instanceof WebhookNotFoundError) throw new NotFoundError(error.message);
  if (error instanceof WebhookLimitError) throw new ConflictError(error.message);
  throw error;
}

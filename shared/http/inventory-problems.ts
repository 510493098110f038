import { UnknownPostalCodeError } from '#domain/inventory/location';
import { LocationNotFoundError, SkuNotFoundError } from '#application/inventory/errors';
import { NotFoundError, ValidationError } from './problem.ts';

/** Maps the inventory use cases' errors to problems; anything else is rethrown (a 500). */
export function inventoryProblem(error: unknown): never {
  if (error instanceof LocationNotFoundError || error instanceof SkuNotFoundError) throw new NotFoundError(error.message);
  if (error instanceof UnknownPostalCodeError) throw new ValidationError([{ field: 'address.postalCode', message: error.message }]);
  throw error;
}

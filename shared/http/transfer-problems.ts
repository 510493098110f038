import { TransferIdTakenError, TransferRefusedError, TransferShortError, TransferStateError } from '#domain/inventory/transfer';
import { ConflictError, ValidationError } from './problem.ts';

/** Maps the transfer use cases' refusals to problems naming the field; anything else is rethrown. */
export function transferProblem(error: unknown): never {
  if (error instanceof TransferRefusedError) throw new ValidationError(error.problems);
  if (error instanceof TransferShortError) {
    throw new ConflictError(
      error.message,
      error.shortages.map((s) => ({ field: `lines[${s.index}].quantity`, message: `${s.requested} requested, ${s.available} available at ${error.fromLocationId}` })),
    );
  }
  if (error instanceof TransferIdTakenError) throw new ConflictError(error.message, [{ field: 'transferId', message: 'used for a different transfer' }]);
  if (error instanceof TransferStateError) throw new ConflictError(error.message, [{ field: 'status', message: error.status }]);
  throw error;
}

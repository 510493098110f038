import { InboundIdTakenError } from '#application/replenishment/inbound';
import { InboundRefusedError, outstandingOf, type Inbound } from '#domain/replenishment/inbound';
import { ConflictError, ValidationError } from './problem.ts';

/** An inbound as the API shows it: each line with its units still on order. */
export function inboundView({ tenantId: _t, version: _v, ...inbound }: Inbound) {
  return { ...inbound, lines: inbound.lines.map((line) => ({ ...line, onOrder: outstandingOf(line) })) };
}

/** Inbound refusals as problems naming the field; anything else is rethrown. */
export function inboundProblem(error: unknown): never {
  if (error instanceof InboundRefusedError) throw new ValidationError(error.problems);
  if (error instanceof InboundIdTakenError) throw new ConflictError(error.message, [{ field: 'inboundId', message: 'used by another inbound of this tenant' }]);
  throw error;
}

import { z } from 'zod';
import { cancelTransfer, receiveTransfer, shipTransfer } from '#application/inventory/transfers';
import { transferDeps } from '#adapters/transfers';
import { receiveTransferSchema, shipTransferSchema } from '#domain/inventory/transfer';
import { httpHandler } from '#http/handler';
import { parseOptionalBody, pathParameters, principalOf, validate } from '#http/request';
import { json } from '#http/response';
import { transferPathSchema } from '#http/transfer-schemas';
import { transferProblem } from '#http/transfer-problems';
import { transferView } from '#http/transfer-views';

const actionSchema = z.enum(['ship', 'receive', 'cancel']);

/**
 * POST /transfers/{transferId}/{ship|receive|cancel}: the action is the route's last segment; a repeat answers the transfer
 * as it is. A scoped key ships from and receives at its own locations only (another transfer: 404); cancel is the admin's.
 */
export const handler = httpHandler(async (event) => {
  const caller = principalOf(event);
  const { transferId } = pathParameters(event, transferPathSchema);
  const action = validate(event.resource.split('/').pop(), actionSchema, 'path.action');
  try {
    const change = {
      ship: () => shipTransfer(transferDeps, caller, transferId, parseOptionalBody(event, shipTransferSchema)),
      receive: () => receiveTransfer(transferDeps, caller, transferId, parseOptionalBody(event, receiveTransferSchema)),
      cancel: () => (parseOptionalBody(event, z.strictObject({})), cancelTransfer(transferDeps, caller, transferId)),
    }[action];
    const { transfer } = await change();
    return json(200, transferView(transfer));
  } catch (error) {
    return transferProblem(error);
  }
});

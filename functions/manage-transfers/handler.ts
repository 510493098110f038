import { z } from 'zod';
import { cancelTransfer, getTransfer, listTransfers, receiveTransfer, requestTransfer, shipTransfer } from '#application/inventory/transfers';
import { transferDeps } from '#adapters/transfers';
import { receiveTransferSchema, requestTransferSchema, shipTransferSchema } from '#domain/inventory/transfer';
import { httpHandler } from '#http/handler';
import { parseBody, parseOptionalBody, pathParameters, principalOf, queryParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';
import { listTransfersQuerySchema, transferPathSchema } from '#http/transfer-schemas';
import { transferProblem } from '#http/transfer-problems';
import { transferView } from '#http/transfer-views';

/**
 * Every transfer route in one function (one function's resources instead of four in a stack near CloudFormation's
 * 500-resource limit):
 *   POST /transfers                                  the units leave the origin now; 201, or 200 for the same transferId and request again
 *   GET  /transfers?fromLocationId=|toLocationId=    a location's outgoing or incoming transfers, newest first (a scoped key: its own)
 *   GET  /transfers/{transferId}                     the transfer, its units in transit and its receipts
 *   POST /transfers/{transferId}/ship|receive|cancel a repeat answers the transfer as it is; a scoped key ships from and
 *                                                    receives at its own locations only (another transfer: 404)
 */
export const handler = httpHandler(async (event) => {
  try {
    if (event.resource === '/transfers') {
      if (event.httpMethod === 'POST') {
        const { transfer, created } = await requestTransfer(transferDeps, tenantIdOf(event), parseBody(event, requestTransferSchema));
        return json(created ? 201 : 200, transferView(transfer));
      }
      const { transfers, nextCursor } = await listTransfers(transferDeps, principalOf(event), queryParameters(event, listTransfersQuerySchema));
      return json(200, { items: transfers.map(transferView), ...(nextCursor ? { nextCursor } : {}) });
    }
    const { transferId } = pathParameters(event, transferPathSchema);
    if (event.httpMethod === 'GET') return json(200, transferView(await getTransfer(transferDeps, tenantIdOf(event), transferId)));
    const caller = principalOf(event);
    const change = {
      ship: () => shipTransfer(transferDeps, caller, transferId, parseOptionalBody(event, shipTransferSchema)),
      receive: () => receiveTransfer(transferDeps, caller, transferId, parseOptionalBody(event, receiveTransferSchema)),
      cancel: () => (parseOptionalBody(event, z.strictObject({})), cancelTransfer(transferDeps, caller, transferId)),
    }[event.resource.split('/').pop() as 'ship' | 'receive' | 'cancel'];
    return json(200, transferView((await change()).transfer));
  } catch (error) {
    return transferProblem(error);
  }
});

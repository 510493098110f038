import { requestTransfer } from '#application/inventory/transfers';
import { transferDeps } from '#adapters/transfers';
import { requestTransferSchema } from '#domain/inventory/transfer';
import { httpHandler } from '#http/handler';
import { parseBody, tenantIdOf } from '#http/request';
import { json } from '#http/response';
import { transferProblem } from '#http/transfer-problems';
import { transferView } from '#http/transfer-views';

/** POST /transfers: the units leave the origin now and are in transit; 201, or 200 for the same transferId and request again. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const request = parseBody(event, requestTransferSchema);
  try {
    const { transfer, created } = await requestTransfer(transferDeps, tenantId, request);
    return json(created ? 201 : 200, transferView(transfer));
  } catch (error) {
    return transferProblem(error);
  }
});

import { getTransfer } from '#application/inventory/transfers';
import { transferDeps } from '#adapters/transfers';
import { httpHandler } from '#http/handler';
import { pathParameters, tenantIdOf } from '#http/request';
import { json } from '#http/response';
import { transferPathSchema } from '#http/transfer-schemas';
import { transferView } from '#http/transfer-views';

/** GET /transfers/{transferId}: the transfer, its lines with the units still in transit, and its receipts. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const { transferId } = pathParameters(event, transferPathSchema);
  return json(200, transferView(await getTransfer(transferDeps, tenantId, transferId)));
});

import { listTransfers } from '#application/inventory/transfers';
import { transferDeps } from '#adapters/transfers';
import { httpHandler } from '#http/handler';
import { principalOf, queryParameters } from '#http/request';
import { json } from '#http/response';
import { listTransfersQuerySchema } from '#http/transfer-schemas';
import { transferView } from '#http/transfer-views';

/** GET /transfers?fromLocationId= | ?toLocationId= [&status=]: a location's outgoing or incoming transfers, newest first (a scoped key: its own locations'). */
export const handler = httpHandler(async (event) => {
  const caller = principalOf(event);
  const query = queryParameters(event, listTransfersQuerySchema);
  const { transfers, nextCursor } = await listTransfers(transferDeps, caller, query);
  return json(200, { items: transfers.map(transferView), ...(nextCursor ? { nextCursor } : {}) });
});

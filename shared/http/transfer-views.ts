import { inTransit, type Transfer } from '#domain/inventory/transfer';

/** A transfer as the API shows it: without its tenant, each line with the units still in transit. */
export function transferView(transfer: Transfer) {
  const { tenantId: _tenant, lines, ...rest } = transfer;
  const moving = new Map(inTransit(transfer).map((line) => [line.sku, line.quantity]));
  return { ...rest, lines: lines.map((line) => ({ ...line, inTransit: moving.get(line.sku) ?? 0 })) };
}

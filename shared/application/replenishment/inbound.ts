import type { Clock, IdGenerator } from '#application/ports';
import { ConflictError, NotFoundError, retryOnConflict } from '#application/errors';
import { createInbound, decideReceipt, InboundRefusedError, sameInbound, type Inbound, type InboundReceipt, type NewInbound } from '#domain/replenishment/inbound';
import type { InboundStore, ReplenishmentReads } from './ports.ts';

export interface InboundDeps {
  inbound: InboundStore;
  reads: Pick<ReplenishmentReads, 'locationExists'>;
  clock: Clock;
  ids: IdGenerator;
}

/** A creation under an id the tenant already used for another inbound. */
export class InboundIdTakenError extends Error {
  override readonly name = 'InboundIdTakenError';
}

/**
 * POST /inbound: stock on its way to a location. With the caller's `inboundId` a retry answers the stored inbound
 * (`created: false`); the same id with other contents is InboundIdTakenError. The inbound and its units on order are
 * one transaction.
 */
export async function receiveInboundNotice(
  deps: InboundDeps,
  tenantId: string,
  input: Omit<NewInbound, 'inboundId'> & { inboundId?: string | undefined },
): Promise<{ inbound: Inbound; created: boolean }> {
  const request: NewInbound = { ...input, inboundId: input.inboundId ?? deps.ids.next('in_') };
  const existing = await deps.inbound.get(tenantId, request.inboundId);
  if (existing) return repeated(existing, request);
  if (!(await deps.reads.locationExists(tenantId, request.locationId))) {
    throw new InboundRefusedError([{ field: 'locationId', message: `no location ${request.locationId}` }]);
  }
  const inbound = createInbound(tenantId, request, deps.clock.now());
  if ((await deps.inbound.create(inbound)) === 'created') return { inbound, created: true };
  // A concurrent creation of the same id won.
  const winner = await deps.inbound.get(tenantId, request.inboundId);
  if (!winner) throw new ConflictError(`inbound ${request.inboundId} is being created`);
  return repeated(winner, request);
}

function repeated(stored: Inbound, request: NewInbound): { inbound: Inbound; created: boolean } {
  if (!sameInbound(stored, request)) throw new InboundIdTakenError(`inbound ${request.inboundId} exists with other contents`);
  return { inbound: stored, created: false };
}

/**
 * POST /inbound/{id}/receive: load -> decide (pure, decideReceipt) -> save (one transaction: the inbound guarded by
 * its version, the units on hand, off order). A lost race is decided again on the inbound as it is now, so two
 * receipts at once never receive more than the tolerance allows; the same receipt id twice receives once.
 */
export async function receiveInbound(
  deps: Pick<InboundDeps, 'inbound' | 'clock'>,
  tenantId: string,
  inboundId: string,
  receipt: { receiptId: string; lines: ReadonlyArray<{ sku: string; quantity: number }> },
): Promise<{ inbound: Inbound; receipt: InboundReceipt; applied: boolean }> {
  return retryOnConflict(async () => {
    const inbound = await deps.inbound.get(tenantId, inboundId);
    if (!inbound) throw new NotFoundError(`no inbound ${inboundId}`);
    const outcome = decideReceipt(inbound, receipt, deps.clock.now());
    if (outcome.kind === 'already') return { inbound, receipt: outcome.receipt, applied: false };
    await deps.inbound.receive(outcome.decision, inbound.version);
    return { inbound: outcome.decision.inbound, receipt: outcome.decision.receipt, applied: true };
  }, 8);
}

export async function getInbound(deps: Pick<InboundDeps, 'inbound'>, tenantId: string, inboundId: string): Promise<Inbound> {
  const inbound = await deps.inbound.get(tenantId, inboundId);
  if (!inbound) throw new NotFoundError(`no inbound ${inboundId}`);
  return inbound;
}

import { randomInt } from 'node:crypto';
import { decidePickupAction, decidePickupHold, type PickupAction, type PickupRequest } from '#domain/orders/pickup';
import type { Shipment } from '#domain/orders/shipment';
import { pickupStoreOf } from '#domain/inventory/location';
import type { Actor } from '#domain/tenants/api-keys';
import type { LocationStore } from '../ports.ts';
import { retryOnConflict } from '../errors.ts';
import type { OrderStore } from './ports.ts';
import { loadShipment, type LifecycleDeps } from './lifecycle.ts';

/** Six digits, from a cryptographic source: what the customer reads out at the counter or the car window. */
export const randomPickupCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** `locations`: the ready step reads the pickup's store (one GetItem) so PickupReady tells the store as it is then. */
export type PickupDeps = LifecycleDeps & { pickupCodes?: () => string; locations?: Pick<LocationStore, 'get'> };

/**
 * A store's or customer's step in a pickup's hand-over: `ready` (a code is issued, the hold starts; `reissueCode` on a
 * ready pickup issues a new one), `arrive` (curbside: bay and vehicle), `pick-up` (the code is checked, the reservation
 * committed). The shipment and its order change in one transaction guarded by the order's version; a wrong code is
 * recorded the same way (it counts against the tries) before the refusal is answered. A scoped key reaches only its
 * own locations' shipments; every step records the key that made it.
 */
export function updatePickup(
  deps: PickupDeps,
  input: { tenantId: string; shipmentId: string; action: PickupAction; request: Omit<PickupRequest, 'newCode' | 'by'>; by?: Actor; locationIds?: readonly string[] },
): Promise<{ shipment: Shipment }> {
  return retryOnConflict(async () => {
    const found = await loadShipment(deps, input);
    const newCode = input.action === 'ready' ? (deps.pickupCodes ?? randomPickupCode)() : undefined;
    // Only a step that makes a PickupReady reads the store; one already ready (no reissue) answers as it is.
    const readying = input.action === 'ready' && (found.shipment.status !== 'READY_FOR_PICKUP' || input.request.reissueCode === true);
    const location = readying && deps.locations ? await deps.locations.get(input.tenantId, found.shipment.locationId) : undefined;
    const decision = decidePickupAction(found.order, found.shipments, found.shipment, input.action, deps.clock.now(), {
      ...input.request,
      ...(newCode ? { newCode } : {}),
      ...(location ? { store: pickupStoreOf(location) } : {}),
      ...(input.by ? { by: input.by } : {}),
    });
    if (decision.kind === 'repeat') return { shipment: decision.shipment };
    await deps.orders.commit(decision.change);
    if (decision.kind === 'wrong-code') throw decision.error;
    return { shipment: decision.shipment };
  });
}

/**
 * The scheduled check of one ready pickup's hold (from the due-shipments sweep): the reminder once, halfway, then the
 * expiry (its units back on hand at the store, its lines cancelled and refunded), each in one transaction. Replays
 * and a crash between runs find the shipment's own state and do nothing twice.
 */
export function checkPickupHold(deps: { orders: OrderStore; clock: LifecycleDeps['clock'] }, tenantId: string, orderId: string, shipmentId: string, now: Date): Promise<'reminded' | 'expired' | undefined> {
  return retryOnConflict(async () => {
    const found = await deps.orders.get(tenantId, orderId);
    const shipment = found?.shipments.find((s) => s.shipmentId === shipmentId);
    if (!found || !shipment) return undefined;
    const decision = decidePickupHold(found.order, found.shipments, shipment, now);
    if (decision.kind === 'nothing') return undefined;
    await deps.orders.commit(decision.change);
    return decision.outcome;
  }, 3);
}

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The local cloud's account and region: fixed, like a sandbox account, so ARNs are stable across runs. */
export const REGION = 'us-east-1';
export const ACCOUNT_ID = '000000000000';
export const TABLE_NAME = 'dom-local';
export const BUS_NAME = 'dom-local';
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `dom-local-order-fulfillment` for `orderFulfillment`: the local name of a function, queue or state machine. */
export function localName(id: string): string {
  return `dom-local-${id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

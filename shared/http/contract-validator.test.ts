import { describe, expect, it } from 'vitest';
import { contractCoverage, expectMatchesContract, operationFor } from './contract-validator.ts';

const json = { 'content-type': 'application/json' };
const problemJson = { 'content-type': 'application/problem+json; charset=utf-8' };
const health = { status: 'ok', time: '2026-01-02T03:04:05.678Z' };
const problem = { type: 'https://open-dom.dev/problems/not-found', title: 'Not Found', status: 404, detail: 'No such order', requestId: 'r-1' };

describe('the contract validator', () => {
  it('accepts a body that matches the documented schema for its status', () => {
    expectMatchesContract('GET', '/health', { status: 200, headers: json, body: health });
    expectMatchesContract('GET', '/orders/o_0123456789', { status: 404, headers: new Headers(problemJson), body: problem });
    expectMatchesContract('DELETE', '/webhooks/wh_0123456789', { status: 204, headers: {}, body: undefined });
  });

  it('refuses a field the document does not show', () => {
    expect(() => expectMatchesContract('GET', '/health', { status: 200, headers: json, body: { ...health, uptime: 3 } })).toThrow(/additional/);
  });

  it('refuses a status the operation does not document', () => {
    expect(() => expectMatchesContract('GET', '/health', { status: 404, headers: problemJson, body: problem })).toThrow(/not documented/);
  });

  it('refuses a problem sent as application/json', () => {
    expect(() => expectMatchesContract('GET', '/orders/o_0123456789', { status: 404, headers: json, body: problem })).toThrow(/content type/);
  });

  it('refuses a problem without its detail', () => {
    const { detail: _detail, ...incomplete } = problem;
    expect(() => expectMatchesContract('GET', '/orders/o_0123456789', { status: 404, headers: problemJson, body: incomplete })).toThrow(/detail/);
  });

  it('routes a literal path segment before a parameter, and ignores the query string', () => {
    expect(operationFor('POST', '/inventory/adjustments').operation.operationId).toBe('adjustInventory');
    expect(operationFor('GET', '/inventory/adjustments').operation.operationId).toBe('getSkuInventory');
    expect(operationFor('GET', '/inventory?locationId=a&limit=2').operation.operationId).toBe('getLocationInventory');
  });

  it('records which statuses of which operations were checked', () => {
    expectMatchesContract('GET', '/health', { status: 200, headers: json, body: health });
    expect(contractCoverage().get('getHealth')?.statuses).toContain(200);
  });
});

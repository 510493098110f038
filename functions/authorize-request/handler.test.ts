import { describe, expect, it } from 'vitest';
import { stageWildcard } from './handler.ts';

describe('the authorizer policy', () => {
  it('allows every method and path of the stage, so one cached decision serves all of the key\'s calls', () => {
    expect(stageWildcard('arn:aws:execute-api:us-east-1:123456789012:a1b2c3/v1/GET/orders/o_1')).toBe('arn:aws:execute-api:us-east-1:123456789012:a1b2c3/v1/*');
    expect(stageWildcard('arn:aws:execute-api:us-east-1:123456789012:a1b2c3/v1/POST/orders')).toBe('arn:aws:execute-api:us-east-1:123456789012:a1b2c3/v1/*');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { substituteDefinition } from './substitute-definition.ts';

describe('substituteDefinition', () => {
  it('replaces every ${Name} placeholder with its value', () => {
    const text = '{"A":"${First}","B":"x-${Second}-${First}"}';

    const result = substituteDefinition(text, { First: 'one', Second: 'two' });

    expect(JSON.parse(result)).toEqual({ A: 'one', B: 'x-two-one' });
  });

  it('leaves JSONPath and intrinsic functions alone', () => {
    const text = '{"a.$":"States.Format(\'{}-{}\', $.x, $$.Execution.Id)","b":"${X}"}';

    expect(JSON.parse(substituteDefinition(text, { X: 'y' }))).toEqual({ 'a.$': "States.Format('{}-{}', $.x, $$.Execution.Id)", b: 'y' });
  });

  it('throws naming each placeholder left unfilled', () => {
    const text = '{"A":"${First}","B":"${Second}","C":"${Third}","D":"${Second}"}';

    expect(() => substituteDefinition(text, { First: 'one' })).toThrow(/\$\{Second\}, \$\{Third\}$/);
  });

  it('throws when a value breaks the JSON', () => {
    expect(() => substituteDefinition('{"A":"${X}"}', { X: 'a"b' })).toThrow(/not valid JSON after substitution/);
  });

  it('ignores substitutions the definition does not use', () => {
    expect(substituteDefinition('{"A":"${X}"}', { X: '1', Unused: '2' })).toBe('{"A":"1"}');
  });

  it('fills the tenant onboarding state machine completely', () => {
    const text = readFileSync(new URL('../../../state-machines/tenant-onboarding.asl.json', import.meta.url), 'utf8');

    const result = substituteDefinition(text, {
      SeedTenantDefaultsFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:seed-tenant-defaults',
      WorkflowFailuresQueueUrl: 'http://127.0.0.1:4566/000000000000/workflow-failures',
    });

    expect(result).not.toContain('${');
    expect(JSON.parse(result).States.SeedDefaults.Parameters.FunctionName).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:seed-tenant-defaults',
    );
  });
});

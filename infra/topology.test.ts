import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { operations } from '../shared/http/operations.ts';
import { validatePattern } from './local/eventbridge/pattern.ts';
import { REPO_ROOT } from './local/constants.ts';
import { topology, type QueueId } from './topology.ts';

describe('the topology manifest', () => {
  it('points every function at a handler file that exists', () => {
    for (const [id, fn] of Object.entries(topology.functions)) {
      expect(existsSync(join(REPO_ROOT, fn.entry)), `${id}: ${fn.entry}`).toBe(true);
    }
  });

  it('has one API operation per route, with the same method, path and authentication', () => {
    const routes = topology.routes.map((r) => `${r.method} ${r.path} ${r.auth === 'apiKey'}`).sort();
    const documented = Object.values(operations)
      .map((op) => `${op.method.toUpperCase()} ${op.path} ${op.auth}`)
      .sort();
    expect(documented).toEqual(routes);
  });

  it('routes each method and path once, to a declared function', () => {
    const keys = topology.routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of topology.routes) expect(topology.functions[route.function], route.path).toBeDefined();
  });

  it('fills every placeholder of every state machine file, and declares no unused substitution', () => {
    for (const [id, machine] of Object.entries(topology.stateMachines)) {
      const text = readFileSync(join(REPO_ROOT, machine.definitionFile), 'utf8');
      const placeholders = new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
      expect([...placeholders].sort(), id).toEqual(Object.keys(machine.substitutions).sort());
      for (const source of Object.values(machine.substitutions)) {
        if ('functionArn' in source) expect(topology.functions[source.functionArn]).toBeDefined();
        if ('queueUrl' in source) expect(topology.queues[source.queueUrl as QueueId]).toBeDefined();
      }
    }
  });

  it('gives every rule a valid EventBridge pattern and targets that exist', () => {
    for (const [name, rule] of Object.entries(topology.rules)) {
      expect(() => validatePattern(rule.pattern), name).not.toThrow();
      for (const target of rule.targets) {
        if (target.kind === 'stateMachine') expect(topology.stateMachines[target.stateMachine]).toBeDefined();
        if (target.kind === 'function') expect(topology.functions[target.function]).toBeDefined();
        if (target.kind === 'queue') expect(topology.queues[target.queue]).toBeDefined();
      }
    }
    expect(topology.queues[topology.ruleTargetDeadLetterQueue]).toBeDefined();
  });

  it('feeds stream and queue mappings into declared functions with declared failure queues', () => {
    for (const mapping of Object.values(topology.streamMappings)) {
      expect(topology.functions[mapping.function]).toBeDefined();
      expect(topology.queues[mapping.onFailure]).toBeDefined();
      expect(mapping.batchSize).toBeGreaterThan(0);
    }
    for (const mapping of Object.values(topology.queueMappings)) {
      expect(topology.functions[mapping.function]).toBeDefined();
      expect(topology.queues[mapping.queue]).toBeDefined();
    }
  });
});

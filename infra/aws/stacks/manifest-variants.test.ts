import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { topology } from '../../topology.ts';
import type { Topology } from '../../topology.ts';
import { addDomStacks } from '../dom-app.ts';

/**
 * Wiring the current manifest does not use yet: rules targeting a function and a stateful queue, a queue mapping, an
 * API without API-key routes. A small manifest built once for the whole file, and the one synthesis of the unit tests
 * that really bundles (two functions, so it stays quick): dom-stacks.test.ts skips bundling.
 */
const variant = {
  ...topology,
  functions: { authorizeRequest: topology.functions.authorizeRequest, getHealth: topology.functions.getHealth },
  routes: [{ method: 'GET', path: '/health', function: 'getHealth', auth: 'none' }],
  rules: {
    toFunction: {
      description: 'A variant rule with a function target',
      pattern: { source: ['dom'], detail: { amount: [{ numeric: ['>', 0] }], sku: [{ prefix: 'A-' }] } },
      targets: [{ kind: 'function', function: 'getHealth' }],
    },
    toQueue: {
      description: 'A variant rule with a queue target',
      pattern: { source: ['dom'], 'detail-type': [{ 'anything-but': ['Ignored'] }] },
      targets: [{ kind: 'queue', queue: 'workflowFailures' }],
    },
  },
  streamMappings: {},
  queueMappings: { health: { queue: 'workflowFailures', function: 'getHealth', batchSize: 10, maxBatchingWindowSeconds: 1 } },
  stateMachines: {},
  schedules: {},
} as unknown as Topology;

let stateful: Template;
let stateless: Template;
/** The stateless stack's nested stack of alarms and dashboards. */
let monitoring: Template;
/** The stateless stack's nested stack of the REST API. */
let api: Template;
let assemblyDirectory: string;

beforeAll(() => {
  // CDK's built-in CloudFormation validation (about 8 s of CPU) is left to `npx cdk synth`.
  const app = new App({ builtinCloudFormationValidation: false });
  const stacks = addDomStacks(app, { stage: 'variant', topology: variant });
  // Synthesis itself is under test: a target editing a stateful queue's policy would make the two stacks circular.
  assemblyDirectory = app.synth().directory;
  stateful = Template.fromStack(stacks.stateful);
  stateless = Template.fromStack(stacks.stateless);
  monitoring = Template.fromStack(stacks.stateless.monitoring);
  api = Template.fromStack(stacks.stateless.apiStack);
}, 120_000);

describe('bundling (the real thing, as cdk synth and deploy run it)', () => {
  it('bundles each function with esbuild into a minified ESM index.mjs with a source map and the createRequire banner', () => {
    const bundles = readdirSync(assemblyDirectory)
      .filter((entry) => entry.startsWith('asset.'))
      .map((entry) => path.join(assemblyDirectory, entry))
      .filter((dir) => existsSync(path.join(dir, 'index.mjs')));
    expect(bundles).toHaveLength(Object.keys(variant.functions).length);
    for (const dir of bundles) {
      const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire } from 'module';const require = createRequire(import.meta.url);")).toBe(true);
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
      expect(existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);
    }
  });
});

describe('a manifest with function and queue targets and a queue mapping', () => {
  it('keeps every operator of a rule pattern as the manifest wrote it', () => {
    for (const spec of Object.values(variant.rules)) {
      stateless.hasResourceProperties('AWS::Events::Rule', { Description: spec.description, EventPattern: spec.pattern });
    }
  });

  it('delivers to a function target with a dead-letter queue and a retry policy, and lets EventBridge invoke it', () => {
    stateless.hasResourceProperties('AWS::Events::Rule', {
      Description: variant.rules.toFunction?.description,
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('GetHealth'), 'Arn'] }, DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
    stateless.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
    });
  });

  it('delivers to a stateful queue target, the queue policy granting the bus rules from the stateful side', () => {
    stateless.hasResourceProperties('AWS::Events::Rule', {
      Description: variant.rules.toQueue?.description,
      Targets: [Match.objectLike({ Arn: { 'Fn::ImportValue': Match.stringLikeRegexp('WorkflowFailures') }, DeadLetterConfig: Match.anyValue() })],
    });
    stateless.resourceCountIs('AWS::SQS::QueuePolicy', 0);
    const grants = Object.values(stateful.findResources('AWS::SQS::QueuePolicy')).filter((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Principal?: { Service?: string } }[]).some(
        (s) => s.Principal?.Service === 'events.amazonaws.com',
      ),
    );
    // The target queue and the rule targets' dead-letter queue.
    expect(grants).toHaveLength(2);
  });

  it('consumes a queue reporting partial batch failures, with its batching', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('WorkflowFailures') },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('builds the API without an authorizer when no route asks for one', () => {
    api.resourceCountIs('AWS::ApiGateway::Method', 1);
    api.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
    stateless.resourceCountIs('AWS::Scheduler::Schedule', 0);
  });

  it('raises no alarm on messages waiting in a queue a function consumes, only on its dead-letter queue', () => {
    const queueAlarms = monitoring.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: 'ApproximateNumberOfMessagesVisible' },
    });
    const queues = Object.keys(topology.queues).length;
    expect(Object.keys(queueAlarms)).toHaveLength(queues + queues - 1);
  });
});

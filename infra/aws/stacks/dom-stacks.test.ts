import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV, queueUrlEnv, stateMachineArnEnv, topology } from '../../topology.ts';
import type { FunctionId, QueueId, StateMachineId } from '../../topology.ts';
import { addDomStacks } from '../dom-app.ts';
import { pascal } from '../naming.ts';

// Synthesising bundles every handler with esbuild: build the app once and share its templates across the file.
let app: App;
let stateful: Template;
let stateless: Template;

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

beforeAll(() => {
  app = new App();
  const stacks = addDomStacks(app, { stage: 'test' });
  // Templates first, without the nag plugin (skipValidation does not skip plugins), so that a nag finding fails its
  // own test below rather than every test.
  app.synth();
  stateful = Template.fromStack(stacks.stateful);
  stateless = Template.fromStack(stacks.stateless);
}, 120_000);

const functionIds = Object.keys(topology.functions) as FunctionId[];
const queueIds = Object.keys(topology.queues) as QueueId[];
const stateMachineIds = Object.keys(topology.stateMachines) as StateMachineId[];

function functionLogicalId(functionId: FunctionId): string {
  const found = stateless.findResources('AWS::Lambda::Function', {
    Properties: { Description: topology.functions[functionId].description },
  });
  const ids = Object.keys(found);
  expect(ids, `function ${functionId}`).toHaveLength(1);
  return ids[0] as string;
}

type Statement = { Action: string | string[]; Resource: unknown };

/** Every IAM statement of the function's role. */
function statementsOf(functionId: FunctionId): Statement[] {
  const fn = stateless.toJSON().Resources[functionLogicalId(functionId)] as Resource;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = stateless.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** Every IAM action granted to the function's role, flattened. */
function actionsOf(functionId: FunctionId): string[] {
  const fn = stateless.toJSON().Resources[functionLogicalId(functionId)] as Resource;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = stateless.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => [s.Action].flat()),
  );
}

function environmentOf(functionId: FunctionId): Record<string, unknown> {
  const fn = stateless.toJSON().Resources[functionLogicalId(functionId)] as Resource;
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('the stateful stack', () => {
  it('has exactly one table, keyed as the manifest says, with its global indexes, billed per request', () => {
    const spec = topology.table;
    stateful.resourceCountIs('AWS::DynamoDB::Table', 1);
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: spec.partitionKey, KeyType: 'HASH' },
        { AttributeName: spec.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: spec.globalIndexes.map((index) =>
        Match.objectLike({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
      ),
    });
  });

  it('streams new and old images, expires items on the TTL attribute, and keeps point-in-time recovery and encryption on', () => {
    expect(topology.table.ttlAttribute).toBe('expiresAt');
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('retains the table when the stack or the resource is removed', () => {
    stateful.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('has one event bus with an archive of the events the DOM publishes', () => {
    stateful.resourceCountIs('AWS::Events::EventBus', 1);
    stateful.hasResourceProperties('AWS::Events::Archive', { EventPattern: { source: ['dom'] } });
  });

  it.each(queueIds)('creates queue %s with its manifest settings and its own dead-letter queue', (queueId) => {
    const spec = topology.queues[queueId];
    const queues = stateful.findResources('AWS::SQS::Queue', {
      Properties: {
        VisibilityTimeout: spec.visibilityTimeoutSeconds,
        MessageRetentionPeriod: spec.retentionSeconds,
        RedrivePolicy: { maxReceiveCount: spec.maxReceiveCount },
        SqsManagedSseEnabled: true,
      },
      DeletionPolicy: 'Retain',
    });
    const queue = Object.entries(queues).find(([id]) => id.startsWith(`Queues${pascal(queueId)}`));
    expect(queue, queueId).toBeDefined();
    const dlqId = (queue?.[1].Properties.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': [string] } })
      .deadLetterTargetArn['Fn::GetAtt'][0];
    expect(stateful.toJSON().Resources[dlqId]).toMatchObject({
      Type: 'AWS::SQS::Queue',
      DeletionPolicy: 'Retain',
      Properties: { MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true },
    });
  });

  it('has one dead-letter queue per manifest queue and nothing else', () => {
    stateful.resourceCountIs('AWS::SQS::Queue', 2 * queueIds.length);
  });

  it('refuses every queue request made without TLS', () => {
    const policies = Object.values(stateful.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2 * queueIds.length);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('lets only the rules of the DOM bus deliver to the rule targets\' dead-letter queue', () => {
    const dlqId = Object.keys(stateful.findResources('AWS::SQS::Queue')).find((id) =>
      id.startsWith(`Queues${pascal(topology.ruleTargetDeadLetterQueue)}`) && !id.includes('DlqDlq'),
    );
    stateful.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });
});

describe('the stateless stack: functions', () => {
  it.each(functionIds)('deploys %s from the manifest on Node.js 22, ARM64, traced, with its memory and timeout', (functionId) => {
    const spec = topology.functions[functionId];
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Description: spec.description,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: spec.memoryMb,
      Timeout: spec.timeoutSeconds,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: Match.anyValue() },
      Environment: {
        Variables: Match.objectLike({
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: functionId,
          POWERTOOLS_METRICS_NAMESPACE: 'DOM',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        }),
      },
    });
  });

  it('deploys no function that is not in the manifest', () => {
    stateless.resourceCountIs('AWS::Lambda::Function', functionIds.length);
  });

  it.each(functionIds)('tells %s the names of exactly the resources its grants name', (functionId) => {
    const { grants } = topology.functions[functionId];
    const names = Object.keys(environmentOf(functionId));
    expect(names.includes(ENV.tableName)).toBe(grants.table !== undefined);
    expect(names.includes(ENV.busName)).toBe(grants.bus !== undefined);
    for (const queueId of queueIds) {
      expect(names.includes(queueUrlEnv(queueId))).toBe(grants.queues?.includes(queueId) ?? false);
    }
    for (const stateMachineId of stateMachineIds) {
      expect(names.includes(stateMachineArnEnv(stateMachineId))).toBe(grants.stateMachines?.includes(stateMachineId) ?? false);
    }
  });

  it.each(functionIds.filter((id) => !topology.functions[id].grants.table))('gives %s no DynamoDB data permission', (functionId) => {
    const stream = Object.values(topology.streamMappings).some((m) => m.function === functionId);
    const dataActions = actionsOf(functionId).filter((a) => a.startsWith('dynamodb:'));
    // A stream consumer reads the stream (GetRecords, ListStreams...), never the table's items.
    const allowed = stream ? ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'] : [];
    expect(dataActions.filter((a) => !allowed.includes(a))).toEqual([]);
  });

  it('gives getHealth no DynamoDB, EventBridge, SQS or Step Functions permission at all', () => {
    expect(actionsOf('getHealth').filter((a) => /^(dynamodb|events|sqs|states):/.test(a))).toEqual([]);
  });

  it.each(functionIds.filter((id) => topology.functions[id].grants.table === 'read'))('lets %s read the table but not write it', (functionId) => {
    const actions = actionsOf(functionId);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    expect(actions.filter((a) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(a))).toEqual([]);
  });

  it.each(functionIds.filter((id) => topology.functions[id].grants.table === 'readWrite'))('lets %s write the table', (functionId) => {
    expect(actionsOf(functionId)).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem']));
  });

  it.each(functionIds)('lets %s send only to the queues its grants or its stream failure destination name', (functionId) => {
    const expected = new Set<QueueId>(topology.functions[functionId].grants.queues ?? []);
    for (const mapping of Object.values(topology.streamMappings)) {
      if (mapping.function === functionId) expected.add(mapping.onFailure);
    }
    const sendResources = JSON.stringify(
      statementsOf(functionId).filter((s) => [s.Action].flat().includes('sqs:SendMessage')).map((s) => s.Resource),
    );
    for (const queueId of queueIds) {
      // The export of the queue's ARN, not of its DLQ's (`Queues<Id>Dlq...`).
      const queueArn = new RegExp(`Queues${pascal(queueId)}[0-9A-F]{8}Arn`);
      expect(queueArn.test(sendResources), queueId).toBe(expected.has(queueId));
    }
  });

  it.each(functionIds)('lets %s put events on the bus only if its grants say so', (functionId) => {
    expect(actionsOf(functionId).includes('events:PutEvents')).toBe(topology.functions[functionId].grants.bus === 'put');
  });
});

describe('the stateless stack: HTTP API', () => {
  it.each(topology.routes.map((r) => [`${r.method} ${r.path}`, r] as const))('routes %s', (routeKey, route) => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: routeKey,
      AuthorizationType: route.auth === 'apiKey' ? 'CUSTOM' : 'NONE',
      ...(route.auth === 'apiKey' ? { AuthorizerId: { Ref: Match.anyValue() } } : {}),
    });
  });

  it('has no route the manifest does not declare', () => {
    stateless.resourceCountIs('AWS::ApiGatewayV2::Route', topology.routes.length);
  });

  it('integrates routes with Lambda using payload format 2.0', () => {
    const integrations = Object.values(stateless.findResources('AWS::ApiGatewayV2::Integration'));
    expect(integrations.length).toBeGreaterThan(0);
    for (const integration of integrations) {
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    }
  });

  it('authorizes API-key routes with the authorizeRequest function, simple responses, cached 60 s by Authorization', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 60,
      AuthorizerUri: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [functionLogicalId('authorizeRequest'), 'Arn'] }])],
      }),
    });
  });

  it('logs access to a log group and throttles the default stage', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });
});

describe('the stateless stack: workflows, rules and mappings', () => {
  it.each(stateMachineIds)('deploys state machine %s as STANDARD with its substitutions, full logging and tracing', (id) => {
    const spec = topology.stateMachines[id];
    stateless.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      DefinitionS3Location: Match.anyValue(),
      DefinitionSubstitutions: Object.fromEntries(Object.keys(spec.substitutions).map((key) => [key, Match.anyValue()])),
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
      TracingConfiguration: { Enabled: true },
    });
  });

  it('fills function placeholders with the function ARN and lets the state machine invoke it', () => {
    for (const spec of Object.values(topology.stateMachines)) {
      for (const [placeholder, substitution] of Object.entries(spec.substitutions)) {
        if (!('functionArn' in substitution)) continue;
        const fnId = functionLogicalId(substitution.functionArn);
        stateless.hasResourceProperties('AWS::StepFunctions::StateMachine', {
          DefinitionSubstitutions: Match.objectLike({ [placeholder]: { 'Fn::GetAtt': [fnId, 'Arn'] } }),
        });
        stateless.hasResourceProperties('AWS::IAM::Policy', {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Action: 'lambda:InvokeFunction',
                Resource: Match.arrayWith([{ 'Fn::GetAtt': [fnId, 'Arn'] }]),
              }),
            ]),
          },
        });
      }
    }
  });

  it.each(Object.entries(topology.rules))('subscribes rule %s with its manifest pattern, verbatim', (_, spec) => {
    stateless.hasResourceProperties('AWS::Events::Rule', {
      Description: spec.description,
      EventPattern: spec.pattern,
      Targets: Match.arrayWith(
        spec.targets.map(() =>
          Match.objectLike({
            DeadLetterConfig: { Arn: Match.anyValue() },
            RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
          }),
        ),
      ),
    });
  });

  it('has no rule the manifest does not declare', () => {
    stateless.resourceCountIs('AWS::Events::Rule', Object.keys(topology.rules).length);
  });

  it.each(Object.entries(topology.streamMappings))('maps the table stream to %s with its batching, retries and on-failure queue', (_, spec) => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionLogicalId(spec.function) },
      EventSourceArn: Match.anyValue(),
      BatchSize: spec.batchSize,
      MaximumBatchingWindowInSeconds: spec.maxBatchingWindowSeconds,
      StartingPosition: spec.startingPosition,
      MaximumRetryAttempts: spec.retryAttempts,
      BisectBatchOnFunctionError: spec.bisectBatchOnError,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: spec.filters
        ? { Filters: spec.filters.map((pattern) => ({ Pattern: JSON.stringify(pattern) })) }
        : Match.absent(),
    });
  });

  it.each(Object.entries(topology.queueMappings))('maps a queue to %s reporting partial batch failures', (_, spec) => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionLogicalId(spec.function) },
      BatchSize: spec.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('has no event source mapping the manifest does not declare', () => {
    const expected = Object.keys(topology.streamMappings).length + Object.keys(topology.queueMappings).length;
    stateless.resourceCountIs('AWS::Lambda::EventSourceMapping', expected);
  });
});

describe('alarms', () => {
  function alarmsOn(metricName: string): Record<string, Resource> {
    return stateless.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName } }) as Record<string, Resource>;
  }

  it('raises an alarm when any dead-letter queue holds a message', () => {
    // Each manifest queue's DLQ, plus the manifest queues nobody consumes (they are failure queues themselves).
    const consumed = new Set(Object.values(topology.queueMappings).map((m) => m.queue));
    const expected = queueIds.length + queueIds.filter((q) => !consumed.has(q)).length;
    expect(Object.keys(alarmsOn('ApproximateNumberOfMessagesVisible'))).toHaveLength(expected);
  });

  it('raises an alarm on errors of every function', () => {
    expect(Object.keys(alarmsOn('Errors'))).toHaveLength(functionIds.length);
  });

  it('raises an alarm when a workflow execution fails', () => {
    expect(Object.keys(alarmsOn('ExecutionsFailed'))).toHaveLength(stateMachineIds.length);
  });

  it('raises an alarm on API 5xx answers', () => {
    expect(Object.keys(alarmsOn('5xx'))).toHaveLength(1);
  });

  it('sends every alarm to the ops topic', () => {
    for (const alarm of Object.values(stateless.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
    }
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the AwsSolutions pack', () => {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth({ force: true })).not.toThrow();
  });
});

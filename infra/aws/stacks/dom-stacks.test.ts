import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_RESPONSE_CONTENT_TYPE, gatewayResponseBody, gatewayResponses } from '../../../shared/http/gateway-responses.ts';
import type { GatewayResponseType } from '../../../shared/http/gateway-responses.ts';
import { deadLetterQueueUrlEnv, ENV, queueUrlEnv, stateMachineArnEnv, stateMachineLogGroupEnv, topology } from '../../topology.ts';
import type { FunctionId, QueueId, StateMachineId } from '../../topology.ts';
import { asyncInvoked } from '../constructs/functions.ts';
import { addDomStacks } from '../dom-app.ts';
import { pascal } from '../naming.ts';
import { fromRepoRoot } from '../paths.ts';

// The templates, not the bundles, are under test: CDK's documented context key skips esbuild for every stack (about
// 2 s per function). manifest-variants.test.ts keeps bundling on and checks its output.
let app: App;
let stateful: Template;
let stateless: Template;
/** The stateless stack's nested stack of alarms and dashboards. */
let monitoring: Template;
/** The REST API's nested stack. */
let api: Template;
/** What synthesis with the cdk-nag plugin threw, if anything: a finding fails its own test below, not every test. */
let validationError: unknown;

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

beforeAll(() => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'dom-cdk-'));
  // CDK's built-in CloudFormation validation costs about 8 s of CPU per synthesis; `npx cdk synth` runs it.
  app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = addDomStacks(app, { stage: 'test' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // One synthesis, cdk-nag included. The templates are written before the validation plugins run, so they are read
  // from the assembly even when a finding fails the synthesis.
  try {
    app.synth();
  } catch (error) {
    validationError = error;
  }
  const template = (stack: Stack): Template =>
    Template.fromJSON(JSON.parse(readFileSync(path.join(outdir, stack.templateFile), 'utf8')) as Record<string, unknown>);
  stateful = template(stacks.stateful);
  stateless = template(stacks.stateless);
  monitoring = template(stacks.stateless.monitoring);
  api = template(stacks.stateless.apiStack);
}, 60_000);

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

/** Every IAM statement of a role, by the role's logical id. */
function statementsOfRole(roleId: string): Statement[] {
  const policies = stateless.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

function stateMachineLogicalId(stateMachineId: StateMachineId): string {
  const ids = Object.keys(stateless.findResources('AWS::StepFunctions::StateMachine'))
    .filter((id) => id.startsWith(`Workflows${pascal(stateMachineId)}`));
  expect(ids, `state machine ${stateMachineId}`).toHaveLength(1);
  return ids[0] as string;
}

/** The queue's ARN as the stateless stack imports it (the export of the queue itself, not of its DLQ). */
function queueArnImport(queueId: QueueId): RegExp {
  return new RegExp(`Queues${pascal(queueId)}[0-9A-F]{8}Arn`);
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
      // A redrive (grants.deadLetters) is told the queue and its DLQ.
      expect(names.includes(queueUrlEnv(queueId))).toBe((grants.queues?.includes(queueId) || grants.deadLetters?.includes(queueId)) ?? false);
      expect(names.includes(deadLetterQueueUrlEnv(queueId))).toBe(grants.deadLetters?.includes(queueId) ?? false);
    }
    for (const stateMachineId of stateMachineIds) {
      // Reading an Express machine's runs (their history is in its log group on AWS) needs its ARN and log group.
      const readsLogs = (grants.executionHistory?.includes(stateMachineId) ?? false) && topology.stateMachines[stateMachineId].type === 'EXPRESS';
      expect(names.includes(stateMachineArnEnv(stateMachineId))).toBe((grants.stateMachines?.includes(stateMachineId) ?? false) || readsLogs);
      expect(names.includes(stateMachineLogGroupEnv(stateMachineId))).toBe(readsLogs);
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

  it.each(functionIds)('lets %s run PartiQL writes only when its grants say so', (functionId) => {
    const partiql = actionsOf(functionId).filter((a) => a.startsWith('dynamodb:PartiQL'));
    expect(partiql.sort()).toEqual(topology.functions[functionId].grants.tableStatements === 'write' ? ['dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate'] : []);
  });

  it.each(functionIds)('lets %s send only to the queues its grants or its failure destinations name', (functionId) => {
    const expected = new Set<QueueId>([...(topology.functions[functionId].grants.queues ?? []), ...(topology.functions[functionId].grants.deadLetters ?? [])]);
    for (const mapping of Object.values(topology.streamMappings)) {
      if (mapping.function === functionId) expected.add(mapping.onFailure);
    }
    // Asynchronously invoked functions (rule and schedule targets) hand failed events to the rule targets' DLQ.
    if (asyncInvoked(topology).has(functionId)) expected.add(topology.ruleTargetDeadLetterQueue);
    const sendResources = JSON.stringify(
      statementsOf(functionId).filter((s) => [s.Action].flat().includes('sqs:SendMessage')).map((s) => s.Resource),
    );
    for (const queueId of queueIds) {
      // The export of the queue's ARN, not of its DLQ's (`Queues<Id>Dlq...`).
      expect(queueArnImport(queueId).test(sendResources), queueId).toBe(expected.has(queueId));
    }
  });

  it.each(functionIds)('lets %s put events on the bus only if its grants say so', (functionId) => {
    expect(actionsOf(functionId).includes('events:PutEvents')).toBe(topology.functions[functionId].grants.bus === 'put');
  });

  it('lets the ops console\'s functions read execution histories and move dead letters, and no more', () => {
    expect(actionsOf('getOrderExecutions')).toEqual(expect.arrayContaining(['states:DescribeExecution', 'states:GetExecutionHistory']));
    expect(actionsOf('getOrderExecutions').filter((a) => /^states:(Start|Stop|Redrive)/.test(a))).toEqual([]);
    for (const functionId of ['listDeadLetters', 'redriveDeadLetters'] as const) {
      expect(actionsOf(functionId)).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:SendMessage']));
      expect(actionsOf(functionId).filter((a) => a.startsWith('dynamodb:') || a.startsWith('states:'))).toEqual([]);
    }
  });

  it('lets the ops console\'s history reader search the fulfilment workflow\'s log group, told its name, and no other', () => {
    const logGroupIds = Object.keys(stateless.findResources('AWS::Logs::LogGroup')).filter((id) => id.startsWith('WorkflowsOrderFulfillmentLogs'));
    expect(logGroupIds).toHaveLength(1);
    const logGroupId = logGroupIds[0]!;
    expect(environmentOf('getOrderExecutions')[stateMachineLogGroupEnv('orderFulfillment')]).toEqual({ Ref: logGroupId });
    expect(environmentOf('getOrderExecutions')[stateMachineArnEnv('orderFulfillment')]).toEqual({ Ref: stateMachineLogicalId('orderFulfillment') });
    const searches = statementsOf('getOrderExecutions').filter((s) => [s.Action].flat().some((a) => a.startsWith('logs:')));
    expect(searches.map((s) => s.Action)).toEqual(['logs:FilterLogEvents']);
    // The group's GetAtt Arn (ending in :*, the form FilterLogEvents is authorised against) and its bare ARN: that
    // group only, no wildcard of our own.
    const resources = [searches[0]!.Resource].flat();
    expect(resources).toContainEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    for (const resource of resources) {
      expect(JSON.stringify(resource)).toContain(logGroupId);
      expect(JSON.stringify(resource)).not.toContain('*');
    }
    for (const functionId of functionIds.filter((id) => id !== 'getOrderExecutions')) {
      expect(actionsOf(functionId).filter((a) => a.startsWith('logs:')), functionId).toEqual([]);
    }
  });

  it.each(functionIds)('lets %s start a workflow only if its grants say so', (functionId) => {
    const starts = topology.functions[functionId].grants.stateMachines ?? [];
    // Reading executions' histories (grants.executionHistory, the ops console) starts nothing.
    const reads = topology.functions[functionId].grants.executionHistory?.length ? ['states:DescribeExecution', 'states:GetExecutionHistory'] : [];
    expect(actionsOf(functionId).filter((a) => a.startsWith('states:') && !reads.includes(a)), functionId)
      .toEqual(starts.length > 0 ? expect.arrayContaining(['states:StartExecution']) : []);
  });

  it.each([...asyncInvoked(topology)])('sends the events %s fails on (asynchronous invocations) to the rule targets\' dead-letter queue', (functionId) => {
    expect(asyncInvoked(topology).has('startFulfillment')).toBe(true);
    const configs = Object.values(stateless.findResources('AWS::Lambda::EventInvokeConfig', {
      Properties: { FunctionName: { Ref: functionLogicalId(functionId) } },
    }));
    expect(configs).toHaveLength(1);
    expect(configs[0]?.Properties).toMatchObject({ MaximumRetryAttempts: 2, Qualifier: '$LATEST' });
    const destination = JSON.stringify(configs[0]?.Properties.DestinationConfig.OnFailure.Destination);
    expect(destination).toMatch(queueArnImport(topology.ruleTargetDeadLetterQueue));
  });

  it('configures asynchronous failure destinations for the asynchronously invoked functions only', () => {
    stateless.resourceCountIs('AWS::Lambda::EventInvokeConfig', asyncInvoked(topology).size);
  });

  it('runs every function outside a VPC (deliverWebhook posts to merchant endpoints: it needs internet egress)', () => {
    expect(topology.functions.deliverWebhook.description).toMatch(/internet egress/);
    for (const fn of Object.values(stateless.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.VpcConfig).toBeUndefined();
    }
  });
});

describe('the stateful stack: the alarm topic', () => {
  function keyLogicalId(): string {
    const ids = Object.keys(stateful.findResources('AWS::KMS::Key'));
    expect(ids).toHaveLength(1);
    return ids[0] as string;
  }

  function alarmSourceConditions() {
    return {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']],
        },
      },
    };
  }

  it('is encrypted with its own customer-managed key, rotated yearly and retained', () => {
    expect(stateful.toJSON().Resources[keyLogicalId()]).toMatchObject({
      Type: 'AWS::KMS::Key',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    stateful.resourceCountIs('AWS::SNS::Topic', 1);
    stateful.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyLogicalId(), 'Arn'] } });
  });

  it('never uses the AWS-managed SNS key, whose policy CloudWatch alarms cannot use', () => {
    expect(JSON.stringify(stateful.toJSON())).not.toContain('alias/aws/sns');
  });

  it('lets CloudWatch alarms of this account and region, and nobody else, use the key to publish', () => {
    const key = stateful.toJSON().Resources[keyLogicalId()] as Resource;
    const statements = (key.Properties.KeyPolicy as { Statement: Array<Record<string, unknown>> }).Statement;
    const forCloudWatch = statements.filter((s) => JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'));
    expect(forCloudWatch).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: alarmSourceConditions(),
      }),
    ]);
  });

  it('lets the same alarms publish to the topic, and refuses requests without TLS', () => {
    stateful.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: alarmSourceConditions(),
          }),
        ]),
      },
    });
  });
});

describe('the stateless stack: REST API', () => {
  type CfnResource = { Type: string; Properties: Record<string, unknown> };

  /** Every API Gateway resource's full path, by logical id (the root by its `RootResourceId` attribute). */
  function resourcePaths(): Map<string, string> {
    const resources = api.findResources('AWS::ApiGateway::Resource') as Record<string, CfnResource>;
    const paths = new Map<string, string>();
    const pathOf = (id: string): string => {
      const known = paths.get(id);
      if (known !== undefined) return known;
      const { ParentId, PathPart } = (resources[id] as CfnResource).Properties as { ParentId: { Ref?: string }; PathPart: string };
      const full = `${ParentId.Ref ? pathOf(ParentId.Ref) : ''}/${PathPart}`;
      paths.set(id, full);
      return full;
    };
    for (const id of Object.keys(resources)) pathOf(id);
    return paths;
  }

  /** The method serving `METHOD /path`, found through its resource's full path. */
  function methodOf(method: string, routePath: string): Record<string, unknown> {
    const paths = resourcePaths();
    const found = Object.values(api.findResources('AWS::ApiGateway::Method') as Record<string, CfnResource>).filter((m) => {
      const resourceId = m.Properties.ResourceId as { Ref?: string };
      return m.Properties.HttpMethod === method && resourceId.Ref !== undefined && paths.get(resourceId.Ref) === routePath;
    });
    expect(found, `${method} ${routePath}`).toHaveLength(1);
    return (found[0] as CfnResource).Properties;
  }

  /**
   * A function's ARN as the API's nested stack sees it: the parameter the stateless stack passes it in (the nested
   * stack's resource in the parent maps each parameter to a function's `Fn::GetAtt Arn`).
   */
  function functionArnInApi(functionId: FunctionId): { Ref: string } {
    const wanted = JSON.stringify({ 'Fn::GetAtt': [functionLogicalId(functionId), 'Arn'] });
    const nested = Object.values(stateless.findResources('AWS::CloudFormation::Stack') as Record<string, CfnResource>);
    const names = nested.flatMap((n) => Object.entries((n.Properties.Parameters ?? {}) as Record<string, unknown>)).filter(([, value]) => JSON.stringify(value) === wanted).map(([name]) => name);
    const inApi = names.filter((name) => (api.toJSON().Parameters as Record<string, unknown> | undefined)?.[name] !== undefined);
    expect(inApi, `the ARN of ${functionId} passed to the API's stack`).toHaveLength(1);
    return { Ref: inApi[0]! };
  }

  function authorizerLogicalId(): string {
    const ids = Object.keys(api.findResources('AWS::ApiGateway::Authorizer'));
    expect(ids).toHaveLength(1);
    return ids[0] as string;
  }

  it('is one regional REST API', () => {
    api.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    api.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    api.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
  });

  it.each(topology.routes.map((r) => [`${r.method} ${r.path}`, r] as const))('serves %s with its function, through the authorizer if the manifest says so', (_, route) => {
    const method = methodOf(route.method, route.path);
    if (route.auth === 'apiKey') {
      expect(method).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerLogicalId() } });
    } else {
      expect(method.AuthorizationType).toBe('NONE');
      expect(method.AuthorizerId).toBeUndefined();
    }
    expect(method.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
    // The integration URI names the route's function, and no other.
    const uri = JSON.stringify((method.Integration as { Uri: unknown }).Uri);
    expect(uri).toContain(JSON.stringify(functionArnInApi(route.function)));
  });

  it('has no method the manifest does not declare', () => {
    api.resourceCountIs('AWS::ApiGateway::Method', topology.routes.length);
  });

  it('lets API Gateway invoke each routed function, from this API only', () => {
    for (const functionId of new Set(topology.routes.map((r) => r.function))) {
      api.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: functionArnInApi(functionId),
        Principal: 'apigateway.amazonaws.com',
        SourceArn: Match.anyValue(),
      });
    }
  });

  it('authorizes API-key routes with the authorizeRequest function: a REQUEST authorizer cached 60 s by Authorization', () => {
    api.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 60,
    });
    const uri = JSON.stringify((api.findResources('AWS::ApiGateway::Authorizer') as Record<string, CfnResource>)[authorizerLogicalId()]!.Properties.AuthorizerUri);
    expect(uri).toContain(JSON.stringify(functionArnInApi('authorizeRequest')));
  });

  it.each(Object.keys(gatewayResponses) as GatewayResponseType[])('answers %s (API Gateway\'s own error) as problem+json with the request id', (type) => {
    const body = gatewayResponseBody(type, '$context.requestId');
    api.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      StatusCode: String(gatewayResponses[type].status),
      ResponseParameters: { 'gatewayresponse.header.Content-Type': `'${GATEWAY_RESPONSE_CONTENT_TYPE}'` },
      ResponseTemplates: { 'application/json': body, [GATEWAY_RESPONSE_CONTENT_TYPE]: body },
    });
    expect(JSON.parse(body)).toMatchObject({ status: gatewayResponses[type].status, requestId: '$context.requestId' });
  });

  it('answers a request WAF blocked (a tenant over its limit) with the THROTTLED problem: 429 problem+json with the request id', () => {
    const body = gatewayResponseBody('THROTTLED', '$context.requestId');
    api.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'WAF_FILTERED',
      StatusCode: '429',
      ResponseParameters: { 'gatewayresponse.header.Content-Type': `'${GATEWAY_RESPONSE_CONTENT_TYPE}'` },
      ResponseTemplates: { 'application/json': body, [GATEWAY_RESPONSE_CONTENT_TYPE]: body },
    });
  });

  it('has no gateway response outside the shared catalogue and WAF_FILTERED', () => {
    api.resourceCountIs('AWS::ApiGateway::GatewayResponse', Object.keys(gatewayResponses).length + 1);
  });

  it('deploys one stage with access logs, error-level execution logs, tracing and method throttling defaults', () => {
    api.resourceCountIs('AWS::ApiGateway::Stage', 1);
    api.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: topology.apiLimits.stageThrottle.rateLimit,
          ThrottlingBurstLimit: topology.apiLimits.stageThrottle.burstLimit,
        }),
      ]),
    });
  });

  it('gives API Gateway the account\'s CloudWatch role, which outlives the stack', () => {
    api.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
  });
});

describe('the stateless stack: per-tenant throttling', () => {
  function webAcl(): Resource {
    const acls = Object.values(api.findResources('AWS::WAFv2::WebACL')) as Resource[];
    expect(acls).toHaveLength(1);
    return acls[0] as Resource;
  }

  it('limits the requests of each API key with a WAF rate-based rule keyed on the Authorization header', () => {
    const { limit, windowSeconds } = topology.apiLimits.perApiKey;
    expect(webAcl().Properties).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    expect(webAcl().Properties.Rules).toEqual([
      expect.objectContaining({
        Name: 'PerApiKeyRate',
        Action: { Block: {} },
        Statement: {
          RateBasedStatement: {
            Limit: limit,
            EvaluationWindowSec: windowSeconds,
            AggregateKeyType: 'CUSTOM_KEYS',
            CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
          },
        },
      }),
    ]);
  });

  it('keeps no sampled requests, which would show API keys in the console', () => {
    const acl = webAcl().Properties as { VisibilityConfig: unknown; Rules: Array<{ VisibilityConfig: unknown }> };
    for (const config of [acl.VisibilityConfig, ...acl.Rules.map((r) => r.VisibilityConfig)]) {
      expect(config).toMatchObject({ SampledRequestsEnabled: false, CloudWatchMetricsEnabled: true });
    }
  });

  it('protects the API stage with that web ACL', () => {
    const aclId = Object.keys(api.findResources('AWS::WAFv2::WebACL'))[0];
    const stageId = Object.keys(api.findResources('AWS::ApiGateway::Stage'))[0];
    api.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    api.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
      ResourceArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/stages/$'), { Ref: stageId }])] },
    });
  });

  it('lets one API key use at most half of the stage-wide throttle, so one tenant always leaves the rest to the others', () => {
    const { limit, windowSeconds } = topology.apiLimits.perApiKey;
    expect(limit).toBeGreaterThanOrEqual(10);
    expect([60, 120, 300, 600]).toContain(windowSeconds);
    expect(limit / windowSeconds).toBeLessThanOrEqual(topology.apiLimits.stageThrottle.rateLimit / 2);
  });
});

describe('the stateless stack: workflows, rules and mappings', () => {
  it.each(stateMachineIds)('deploys state machine %s as the type its manifest entry names, with its substitutions, full logging and tracing', (id) => {
    const spec = topology.stateMachines[id];
    stateless.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: spec.type,
      DefinitionS3Location: Match.anyValue(),
      DefinitionSubstitutions: Object.fromEntries(Object.keys(spec.substitutions).map((key) => [key, Match.anyValue()])),
      // Without execution data: the lines (an Express run's only history on AWS, shown to ops) carry no tenant payload.
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      TracingConfiguration: { Enabled: true },
    });
  });

  it('runs order fulfilment as an Express workflow (seconds of idempotent work), tenant onboarding and the demand forecast as Standard', () => {
    expect(topology.stateMachines.orderFulfillment.type).toBe('EXPRESS');
    expect(topology.stateMachines.tenantOnboarding.type).toBe('STANDARD');
    expect(topology.stateMachines.demandForecast.type).toBe('STANDARD');
    expect(Object.values(stateless.findResources('AWS::StepFunctions::StateMachine')).map((r) => r.Properties.StateMachineType).sort()).toEqual(['EXPRESS', 'STANDARD', 'STANDARD']);
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

  it.each(stateMachineIds)('fills the placeholders of %s\'s ASL file, all of them and no others', (id) => {
    const spec = topology.stateMachines[id];
    const asl = readFileSync(fromRepoRoot(spec.definitionFile), 'utf8');
    const placeholders = new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...placeholders].sort()).toEqual(Object.keys(spec.substitutions).sort());
  });

  it.each(stateMachineIds)('lets %s send to exactly the queues its placeholders name', (id) => {
    const spec = topology.stateMachines[id];
    const roleId = (stateless.toJSON().Resources[stateMachineLogicalId(id)] as Resource).Properties.RoleArn as { 'Fn::GetAtt': [string] };
    const sendResources = JSON.stringify(
      statementsOfRole(roleId['Fn::GetAtt'][0]).filter((s) => [s.Action].flat().includes('sqs:SendMessage')).map((s) => s.Resource),
    );
    const named = new Set(Object.values(spec.substitutions).flatMap((s) => ('queueUrl' in s ? [s.queueUrl] : [])));
    for (const queueId of queueIds) expect(queueArnImport(queueId).test(sendResources), queueId).toBe(named.has(queueId));
  });

  it.each(functionIds.filter((id) => topology.functions[id].grants.stateMachines))('tells %s the ARN of the workflows it starts and lets it start them', (functionId) => {
    for (const stateMachineId of topology.functions[functionId].grants.stateMachines ?? []) {
      const ref = { Ref: stateMachineLogicalId(stateMachineId) };
      expect(environmentOf(functionId)[stateMachineArnEnv(stateMachineId)]).toEqual(ref);
      expect(statementsOf(functionId)).toContainEqual(expect.objectContaining({ Action: 'states:StartExecution', Resource: ref }));
    }
  });

  it('has no dependency cycle among its resources (functions starting a workflow whose tasks are other functions)', () => {
    const resources = stateless.toJSON().Resources as Record<string, { Properties?: unknown; DependsOn?: string | string[] }>;
    const edges = new Map<string, Set<string>>();
    const collect = (value: unknown, into: Set<string>): void => {
      if (Array.isArray(value)) value.forEach((v) => collect(v, into));
      else if (value && typeof value === 'object') {
        for (const [key, v] of Object.entries(value)) {
          if (key === 'Ref' && typeof v === 'string') into.add(v);
          else if (key === 'Fn::GetAtt') into.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0] as string);
          else if (key === 'Fn::Sub') {
            const text = Array.isArray(v) ? String(v[0]) : String(v);
            for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g)) into.add(m[1] as string);
            if (Array.isArray(v)) collect(v[1], into);
          } else collect(v, into);
        }
      }
    };
    for (const [id, resource] of Object.entries(resources)) {
      const deps = new Set<string>([resource.DependsOn ?? []].flat());
      collect(resource.Properties, deps);
      edges.set(id, new Set([...deps].filter((d) => d in resources)));
    }
    // The graph is the real one: a starter points at the machine, the machine at its task functions.
    const fulfillment = stateMachineLogicalId('orderFulfillment');
    expect(edges.get(functionLogicalId('startFulfillment'))).toContain(fulfillment);
    expect(edges.get(fulfillment)).toContain(functionLogicalId('planFulfillment'));
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[][] = [];
    const visit = (id: string, trail: string[]): void => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(id)), id]);
        return;
      }
      state.set(id, 'visiting');
      for (const dep of edges.get(id) ?? []) visit(dep, [...trail, id]);
      state.set(id, 'done');
    };
    for (const id of edges.keys()) visit(id, []);
    expect(cycles).toEqual([]);
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

  it.each(Object.entries(topology.queueMappings))('maps its queue to %s with its batching, reporting partial batch failures', (_, spec) => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionLogicalId(spec.function) },
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp(queueArnImport(spec.queue).source) },
      BatchSize: spec.batchSize,
      MaximumBatchingWindowInSeconds: spec.maxBatchingWindowSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('filters the inventory consumer\'s stream records: stock and SKU writes, expired pending reservations, and shipments created, rejected or cancelled (demand)', () => {
    const spec = topology.streamMappings.inventoryChanges;
    expect(spec?.filters).toHaveLength(5);
    const mapping = Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { FunctionName: { Ref: functionLogicalId('handleInventoryChanges') } },
    }))[0];
    const patterns = (mapping?.Properties.FilterCriteria.Filters as { Pattern: string }[]).map((f) => JSON.parse(f.Pattern));
    expect(patterns).toEqual(spec?.filters);
    expect(patterns[1]).toMatchObject({ eventName: ['REMOVE'], userIdentity: { principalId: ['dynamodb.amazonaws.com'] } });
    expect(patterns[3]).toMatchObject({ eventName: ['MODIFY'], dynamodb: { NewImage: { entity: { S: ['Shipment'] }, status: { S: ['REJECTED', 'CANCELLED'] } } } });
    // Replenishment (issue 18): a forecast or a reorder state written is assessed against the reorder point.
    expect(patterns[4]).toMatchObject({ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: ['Forecast', 'ReorderState'] } } } });
  });

  it('has no event source mapping the manifest does not declare', () => {
    const expected = Object.keys(topology.streamMappings).length + Object.keys(topology.queueMappings).length;
    stateless.resourceCountIs('AWS::Lambda::EventSourceMapping', expected);
  });
});

describe('the stateless stack: schedules', () => {
  it.each(Object.entries(topology.schedules))('runs %s at its rate with retries and the rule targets\' dead-letter queue', (_, spec) => {
    stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      Description: spec.description,
      // CDK writes whole days as days and whole hours as hours (1440 minutes: `rate(1 day)`; 60: `rate(1 hour)`).
      ScheduleExpression: spec.rateMinutes % 1440 === 0
        ? `rate(${spec.rateMinutes / 1440} day${spec.rateMinutes === 1440 ? '' : 's'})`
        : spec.rateMinutes % 60 === 0
        ? `rate(${spec.rateMinutes / 60} hour${spec.rateMinutes === 60 ? '' : 's'})`
        : `rate(${spec.rateMinutes} minute${spec.rateMinutes === 1 ? '' : 's'})`,
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [functionLogicalId(spec.function), 'Arn'] },
        RoleArn: Match.anyValue(),
        DeadLetterConfig: { Arn: { 'Fn::ImportValue': Match.stringLikeRegexp(queueArnImport(topology.ruleTargetDeadLetterQueue).source) } },
        RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
      },
    });
  });

  it.each(Object.entries(topology.schedules))('lets the scheduler of %s invoke its function and write its dead-letter queue, nothing else', (_, spec) => {
    const schedule = Object.values(stateless.findResources('AWS::Scheduler::Schedule', { Properties: { Description: spec.description } }))[0];
    const roleId = (schedule?.Properties.Target.RoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    stateless.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: Match.anyValue() })],
      },
    });
    const statements = statementsOfRole(roleId);
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    expect(JSON.stringify(statements)).toContain(JSON.stringify({ 'Fn::GetAtt': [functionLogicalId(spec.function), 'Arn'] }));
  });

  it('has no schedule the manifest does not declare', () => {
    stateless.resourceCountIs('AWS::Scheduler::Schedule', Object.keys(topology.schedules).length);
  });
});

describe('alarms', () => {
  /** The monitoring stack's parameter that the stateless stack fills with `value`. */
  function nestedParameterFor(value: unknown): string {
    // Two nested stacks (monitoring and the REST API): the parameter the monitoring stack declares.
    const declared = (monitoring.toJSON().Parameters ?? {}) as Record<string, unknown>;
    const nested = Object.values(stateless.findResources('AWS::CloudFormation::Stack'));
    expect(nested).toHaveLength(2);
    const parameters = nested
      .flatMap((n) => Object.entries(n.Properties.Parameters as Record<string, unknown>))
      .filter(([name, v]) => name in declared && JSON.stringify(v) === JSON.stringify(value));
    expect(parameters, JSON.stringify(value)).toHaveLength(1);
    return parameters[0]![0];
  }

  it('live in a nested stack of the stateless stack, which stays under CloudFormation\'s 500 resources', () => {
    expect(Object.keys(stateless.findResources('AWS::CloudWatch::Alarm'))).toEqual([]);
    expect(Object.keys(stateless.toJSON().Resources as object).length).toBeLessThan(500);
  });

  function alarmsOn(metricName: string): Record<string, Resource> {
    return monitoring.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName } }) as Record<string, Resource>;
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
    expect(Object.keys(alarmsOn('5XXError'))).toHaveLength(1);
  });

  it('raises an alarm when the hourly stock reconciler finds drift', () => {
    const alarms = Object.values(alarmsOn('StockDrift'));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.Properties).toMatchObject({
      Namespace: 'DOM',
      Dimensions: [{ Name: 'service', Value: 'reconcileStock' }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 1,
    });
  });

  it('raises one IteratorAge alarm per stream mapping: its consumer more than 60 s behind for 5 minutes', () => {
    const alarms = Object.values(alarmsOn('IteratorAge'));
    expect(alarms).toHaveLength(Object.keys(topology.streamMappings).length);
    for (const spec of Object.values(topology.streamMappings)) {
      // The nested stack receives the function's name as a parameter the stateless stack fills with its Ref.
      const dimension = { Name: 'FunctionName', Value: { Ref: nestedParameterFor({ Ref: functionLogicalId(spec.function) }) } };
      expect(alarms.filter((a) => JSON.stringify(a.Properties.Dimensions) === JSON.stringify([dimension])), spec.function).toHaveLength(1);
    }
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 60_000,
        EvaluationPeriods: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('sends every alarm, and its recovery, to the ops topic', () => {
    const topicArn = { 'Fn::ImportValue': Match.stringLikeRegexp('AlarmsTopic') };
    for (const alarm of Object.values(monitoring.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
    }
    monitoring.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topicArn] });
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the AwsSolutions pack', () => {
    expect(validationError).toBeUndefined();
  });
});

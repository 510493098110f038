import { CrossStackReferences, ReferenceStrength } from 'aws-cdk-lib';
import type { App, Environment } from 'aws-cdk-lib';
import { topology as manifest } from '../topology.ts';
import type { Topology } from '../topology.ts';
import { DomStatefulStack } from './stacks/stateful-stack.ts';
import { DomOpsConsoleStack } from './stacks/ops-console-stack.ts';
import { DomStatelessStack } from './stacks/stateless-stack.ts';

export interface DomStacksOptions {
  /** Deployment stage (`dev`, `prod`, ...): prefixes the CloudFormation stack names so stages sit side by side. */
  readonly stage: string;
  readonly topology?: Topology;
  readonly env?: Environment;
}

export interface DomStacks {
  readonly stateful: DomStatefulStack;
  readonly stateless: DomStatelessStack;
  readonly opsConsole: DomOpsConsoleStack;
}

/** The stage's two stacks, both built from the topology manifest; stateless depends on stateful, never the reverse. */
export function addDomStacks(app: App, options: DomStacksOptions): DomStacks {
  const topology = options.topology ?? manifest;
  // Strong (Fn::ImportValue): CloudFormation refuses to remove a stateful export the stateless stack still uses.
  // Context, so it must be set before the stacks are added.
  CrossStackReferences.of(app).consume(ReferenceStrength.STRONG);
  const tags = { project: 'open-dom', stage: options.stage };
  const stateful = new DomStatefulStack(app, 'DomStateful', {
    stackName: `${options.stage}-DomStateful`,
    description: `DOM ${options.stage}: table, event bus, queues, alarm topic (retained)`,
    env: options.env,
    tags,
    topology,
  });
  const stateless = new DomStatelessStack(app, 'DomStateless', {
    stackName: `${options.stage}-DomStateless`,
    description: `DOM ${options.stage}: functions, REST API, workflows, event rules, schedules, alarms`,
    env: options.env,
    tags,
    topology,
    stateful,
  });
  // A stack of its own: the stateless stack is near CloudFormation's 500 resources, and the console can be redeployed
  // (or left out) without touching the functions.
  const opsConsole = new DomOpsConsoleStack(app, 'DomOpsConsole', {
    stackName: `${options.stage}-DomOpsConsole`,
    description: `DOM ${options.stage}: the ops console (static files on CloudFront) in front of the REST API`,
    env: options.env,
    tags,
    api: stateless.api.api,
    stageName: stateless.api.stage.stageName,
  });
  return { stateful, stateless, opsConsole };
}

/** The stage from `-c stage=...`, `dev` by default; restricted so it is safe inside stack names. */
export function stageOf(app: App): string {
  const stage: unknown = app.node.tryGetContext('stage') ?? 'dev';
  if (typeof stage !== 'string' || !/^[a-z][a-z0-9-]{0,20}$/.test(stage)) {
    throw new Error(`Context "stage" must be lowercase letters, digits and dashes, got ${JSON.stringify(stage)}`);
  }
  return stage;
}

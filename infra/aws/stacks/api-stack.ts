import { NestedStack } from 'aws-cdk-lib';
import type { NestedStackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DomRestApi, type DomRestApiProps } from '../constructs/api.ts';

export type DomApiStackProps = NestedStackProps & DomRestApiProps;

/**
 * The REST API as a nested stack of the stateless one: its resources, methods, gateway responses, stage, authorizer
 * and firewall are about 160 resources, and with ~70 functions (function, role, policy, log group each) the
 * stateless stack passed CloudFormation's 500 per stack. Nested, the API counts as one there; the functions it
 * integrates are handed in as parameters and deployed with the parent (no exports). The permissions that let API
 * Gateway invoke each function stay beside the functions.
 */
export class DomApiStack extends NestedStack {
  readonly rest: DomRestApi;

  constructor(scope: Construct, id: string, props: DomApiStackProps) {
    super(scope, id, props);
    this.rest = new DomRestApi(this, 'Rest', props);
  }
}

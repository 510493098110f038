import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Where alarms go. Subscribe the on-call address or chat integration after deploying (see docs/aws.md). */
export class OpsTopic extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: 'DOM alarms',
      // The AWS-managed SNS key: encrypted at rest without a customer key to administer. CloudWatch can publish to it.
      masterKey: Alias.fromAliasName(this, 'AwsManagedSnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
  }
}

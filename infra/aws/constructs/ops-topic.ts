import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Where alarms go. Subscribe the on-call address or chat integration after deploying (see docs/aws.md). */
export class OpsTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    // Only alarms of this account and region may use the key or publish: the service principal acts for any account,
    // so without these conditions it could be steered at our topic by someone else's alarm (confused deputy).
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    };

    // A customer-managed key, not the AWS-managed alias/aws/sns: CloudWatch alarms publish to an encrypted topic only
    // if the key policy lets cloudwatch.amazonaws.com use the key, and an AWS-managed key's policy cannot be changed,
    // so with it every alarm action fails ("CloudWatch Alarms does not have authorization to access the SNS topic
    // encryption key") and nobody is ever notified.
    this.key = new Key(this, 'Key', {
      description: 'Encrypts the DOM alarm topic; CloudWatch alarms of this account may use it to publish',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      displayName: 'DOM alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    // enforceSSL writes a topic policy, which replaces SNS's default one (that allowed the owner account): allow the
    // alarms explicitly, under the same conditions as the key.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
  }
}

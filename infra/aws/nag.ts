import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag AwsSolutions finding on a construct (and its children), with the reason it is accepted.
 * cdk-nag 3 replaced NagSuppressions with CDK's Validations; a finding is `Rule[Detail]`, the v2 `appliesTo`.
 */
export function acknowledgeNag(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${finding}`, reason });
}

/**
 * How cdk-nag spells the ARN of `resource` (its `arn` attribute) inside a finding seen from `consumer`: `<Logical.Arn>`
 * within one stack, the export's name across stacks. `exportValue` returns the very export that the automatic
 * cross-stack reference reuses, so the name is the one the synthesized template carries.
 */
export function nagArn(consumer: IConstruct, resource: IConstruct, arn: string): string {
  const producer = Stack.of(resource);
  const consumerStack = Stack.of(consumer);
  if (producer === consumerStack) {
    const resolved = consumerStack.resolve(arn) as { 'Fn::GetAtt': [string, string] };
    return `<${resolved['Fn::GetAtt'][0]}.${resolved['Fn::GetAtt'][1]}>`;
  }
  const imported = consumerStack.resolve(producer.exportValue(arn)) as { 'Fn::ImportValue': string };
  return imported['Fn::ImportValue'];
}

/**
 * How cdk-nag spells the ARN of every execution of a state machine (`name` is the machine's name as the template
 * spells it): partition, region and account are `<AWS::Region>`-style tokens in an environment-agnostic stack, and the
 * literal values when the app is synthesized for an account and region (`cdk synth` with CDK_DEFAULT_REGION set).
 */
export function nagExecutionsArn(scope: IConstruct, name: string): string {
  const stack = Stack.of(scope);
  const part = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  return `arn:${part(stack.partition, 'Partition')}:states:${part(stack.region, 'Region')}:${part(stack.account, 'AccountId')}:execution:${name}:*`;
}

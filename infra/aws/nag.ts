import { Stack, Validations } from 'aws-cdk-lib';
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

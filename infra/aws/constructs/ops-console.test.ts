import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomOpsConsoleStack } from '../stacks/ops-console-stack.ts';

// The console's stack on its own, in front of an imported API, synthesized once with cdk-nag.
let template: Template;
let validationError: unknown;

beforeAll(() => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'dom-cdk-console-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const apiStack = new Stack(app, 'Api', { env: { account: '111111111111', region: 'us-east-1' } });
  const api = RestApi.fromRestApiId(apiStack, 'Imported', 'a1b2c3d4e5');
  const stack = new DomOpsConsoleStack(app, 'DomOpsConsole', { env: { account: '111111111111', region: 'us-east-1' }, api, stageName: 'v1' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    validationError = error;
  }
  template = Template.fromJSON(JSON.parse(readFileSync(path.join(outdir, stack.templateFile), 'utf8')) as Record<string, unknown>);
}, 120_000);

describe('the ops console on AWS', () => {
  it('keeps its files in a private, encrypted bucket that only the distribution reads', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'site/' }),
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('serves the console over HTTPS and passes the API stage through uncached, every method, with its Authorization header', () => {
    const distributions = template.findResources('AWS::CloudFront::Distribution');
    expect(Object.keys(distributions)).toHaveLength(1);
    const config = (Object.values(distributions)[0] as { Properties: { DistributionConfig: Record<string, any> } }).Properties.DistributionConfig;
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.Logging).toBeDefined();
    const api = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/v1/*');
    expect(api).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']),
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
    });
    expect(JSON.stringify(config.Origins)).toContain('a1b2c3d4e5.execute-api.us-east-1');
    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionCode: Match.stringLikeRegexp('index\\.html') });
    template.resourceCountIs('Custom::CDKBucketDeployment', 1);
    template.hasOutput('OpsConsoleUrl', {});
  });

  it('passes cdk-nag with every finding acknowledged for a reason', () => {
    expect(validationError).toBeUndefined();
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  AllowedMethods, CachePolicy, Distribution, Function as CloudFrontFunction, FunctionCode, FunctionEventType, HttpVersion,
  OriginProtocolPolicy, OriginRequestPolicy, PriceClass, ResponseHeadersPolicy, ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildOpsConsoleSync, OPS_CONSOLE_PATH } from '../../ops-console/build.ts';
import { acknowledgeNag, nagArn } from '../nag.ts';

export interface DomOpsConsoleProps {
  readonly api: IRestApi;
  /** The API's stage (`v1`): the distribution passes `/<stage>/*` through to the API. */
  readonly stageName: string;
}

/** The console's files, written once per synth under `_ops/` (the bucket's keys are the distribution's paths). */
function consoleAsset(stageName: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dom-ops-console-'));
  mkdirSync(join(dir, OPS_CONSOLE_PATH.slice(1)));
  for (const [name, file] of Object.entries(buildOpsConsoleSync(`/${stageName}`))) writeFileSync(join(dir, OPS_CONSOLE_PATH.slice(1), name), file.body);
  return dir;
}

/**
 * The ops console on AWS: its two static files in a private bucket, served by CloudFront (origin access control), and
 * the API passed through under `/<stage>/*` on the same distribution, uncached, so the page calls the API on its own
 * origin (no CORS) with the URL and key its user types in (kept in sessionStorage, never in the files).
 */
export class DomOpsConsole extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: DomOpsConsoleProps) {
    super(scope, id);
    const logs = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logs are written with ACLs.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(logs, 'S1', 'This is the access-log bucket of the console and its distribution; logging it into itself would loop.');
    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'site/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // `/_ops` and `/_ops/` are the page: S3 has no index documents behind an origin access control.
    const index = new CloudFrontFunction(this, 'IndexRewrite', {
      comment: 'Serves index.html for the console directory',
      code: FunctionCode.fromInline(`function handler(event) {
  var request = event.request;
  if (request.uri === '${OPS_CONSOLE_PATH}') return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${OPS_CONSOLE_PATH}/' } } };
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`),
    });
    const apiDomain = `${props.api.restApiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'DOM ops console and the API beside it',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [{ function: index, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        [`/${props.stageName}/*`]: {
          // The stage is in the path already: no origin path. The Host header must stay API Gateway's own.
          origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
    });
    new BucketDeployment(this, 'Files', {
      sources: [Source.asset(consoleAsset(props.stageName))],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: [`${OPS_CONSOLE_PATH}/*`],
    });

    acknowledgeNag(this.distribution, 'CFR1', 'Ops staff work from anywhere; access is by API key, checked on every API call.');
    acknowledgeNag(this.distribution, 'CFR2', 'The API behind the distribution has its own WAF web ACL (the per-key rate rule); the console files are two static files.');
    acknowledgeNag(this.distribution, 'CFR4', 'The default *.cloudfront.net certificate: CloudFront sets its own TLS policy for it; a custom domain with its certificate (TLSv1.2_2021) is the deployer\'s choice.');
    // The BucketDeployment custom resource (a CDK-provided Lambda) and its role.
    const stack = Stack.of(this);
    acknowledgeNag(stack, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'The CDK BucketDeployment provider\'s Lambda: the AWS-managed basic execution policy only lets it write its logs.');
    acknowledgeNag(stack, 'IAM5[Action::s3:GetObject*]', 'The CDK BucketDeployment provider reads the console\'s asset and writes the site bucket (CDK\'s own grants).');
    acknowledgeNag(stack, 'IAM5[Action::s3:GetBucket*]', 'The CDK BucketDeployment provider reads the console\'s asset and writes the site bucket (CDK\'s own grants).');
    acknowledgeNag(stack, 'IAM5[Action::s3:List*]', 'The CDK BucketDeployment provider reads the console\'s asset and writes the site bucket (CDK\'s own grants).');
    acknowledgeNag(stack, 'IAM5[Action::s3:DeleteObject*]', 'The CDK BucketDeployment provider replaces the console\'s files in its bucket (CDK\'s own grants).');
    acknowledgeNag(stack, 'IAM5[Action::s3:Abort*]', 'The CDK BucketDeployment provider replaces the console\'s files in its bucket (CDK\'s own grants).');
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    acknowledgeNag(stack, `IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${account}-${region}/*]`,
      'The CDK BucketDeployment provider reads the console\'s asset from the CDK assets bucket.');
    acknowledgeNag(stack, `IAM5[Resource::${nagArn(this, this.bucket, this.bucket.bucketArn)}/*]`,
      'The CDK BucketDeployment provider writes the console\'s files, any key of the site bucket.');
    acknowledgeNag(stack, 'IAM5[Resource::*]', 'The CDK BucketDeployment provider invalidates the distribution\'s cache: CloudFront invalidations take no resource narrower than *.');
    acknowledgeNag(stack, 'L1', 'The CDK BucketDeployment provider\'s runtime is chosen by CDK.');

    new CfnOutput(stack, 'OpsConsoleUrl', { value: `https://${this.distribution.distributionDomainName}${OPS_CONSOLE_PATH}/`, description: 'The ops console (API URL: the same host with /' + props.stageName + ')' });
  }
}

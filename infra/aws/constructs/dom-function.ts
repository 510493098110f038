import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionId, FunctionSpec } from '../../topology.ts';
import { acknowledgeNag } from '../nag.ts';
import { fromRepoRoot, repoRoot } from '../paths.ts';

export interface DomFunctionProps {
  readonly functionId: FunctionId;
  readonly spec: FunctionSpec;
  /** Resource names the function's grants entitle it to (table, bus, queue URLs, state machine ARNs). */
  readonly environment?: Record<string, string>;
  readonly logRetention?: RetentionDays;
}

/**
 * Every DOM function, with the defaults fixed once: Node.js 22 on ARM64, ESM bundled locally by esbuild with source
 * maps, active tracing, a log group with a retention and the Powertools environment.
 */
export class DomFunction extends NodejsFunction {
  readonly functionId: FunctionId;

  constructor(scope: Construct, id: string, props: DomFunctionProps) {
    const { functionId, spec } = props;
    // The log group is a sibling: a subclass cannot create children before calling super().
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Stateless stack: logs age out by retention; a torn-down function leaves no orphan log group.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: fromRepoRoot(spec.entry),
      handler: 'handler',
      description: spec.description,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      logGroup,
      projectRoot: repoRoot,
      depsLockFilePath: fromRepoRoot('package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        sourceMap: true,
        minify: true,
        target: 'node22',
        mainFields: ['module', 'main'],
        // The X-Ray SDK under Powertools Tracer is CommonJS and calls require(); ESM output has no require without this.
        banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
      },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: functionId,
        POWERTOOLS_METRICS_NAMESPACE: 'DOM',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
    });
    this.functionId = functionId;

    acknowledgeNag(this, 'L1', 'Pinned to Node.js 22, the runtime the bundle targets (esbuild target node22) and the code is tested on; moving to a newer runtime is a deliberate upgrade, not a default.');
    acknowledgeNag(this, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'The AWS-managed basic execution policy only lets the function write its own CloudWatch logs.');
    acknowledgeNag(this, 'IAM5[Resource::*]', 'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) accept no resource but *; a stream consumer also gets dynamodb:ListStreams, which has no resource-level permission either.');
  }
}

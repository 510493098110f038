import { Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import { DomOpsConsole } from '../constructs/ops-console.ts';

export interface DomOpsConsoleStackProps extends StackProps {
  readonly api: IRestApi;
  readonly stageName: string;
}

/** The ops console: a private bucket of static files and a CloudFront distribution that also passes the API through. */
export class DomOpsConsoleStack extends Stack {
  readonly console: DomOpsConsole;

  constructor(scope: Construct, id: string, props: DomOpsConsoleStackProps) {
    super(scope, id, props);
    this.console = new DomOpsConsole(this, 'OpsConsole', { api: props.api, stageName: props.stageName });
  }
}

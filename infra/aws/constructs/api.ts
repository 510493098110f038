import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpNoneAuthorizer, HttpStage, LogGroupLogDestination, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import type { HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionId, Topology } from '../../topology.ts';
import { acknowledgeNag } from '../nag.ts';

export interface DomHttpApiProps {
  readonly topology: Topology;
  readonly functions: Record<FunctionId, IFunction>;
  /** The function mapping a bearer API key to its tenant. */
  readonly authorizer: IFunction;
  readonly throttle?: { rateLimit: number; burstLimit: number };
}

/** The HTTP API (payload format 2.0): the manifest's routes, API-key routes behind a cached Lambda authorizer. */
export class DomHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** Routes by their key, `GET /health`. */
  readonly routes: Record<string, HttpRoute> = {};

  constructor(scope: Construct, id: string, props: DomHttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      description: 'DOM HTTP API',
      // The stage is declared below so that it carries access logs and throttling.
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            tenantId: '$context.authorizer.tenantId',
          }),
        ),
      },
    });

    const authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', props.authorizer, {
      identitySource: ['$request.header.Authorization'],
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      resultsCacheTtl: Duration.seconds(60),
    });
    const integrations = new Map<FunctionId, HttpLambdaIntegration>();
    for (const route of props.topology.routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.function}Integration`, props.functions[route.function], {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(route.function, integration);
      }
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: route.auth === 'apiKey' ? authorizer : new HttpNoneAuthorizer(),
      });
      if (!created) continue;
      this.routes[`${route.method} ${route.path}`] = created;
      if (route.auth === 'none') {
        acknowledgeNag(created, 'APIG4', `${route.method} ${route.path} is public by design in the manifest (auth: 'none'): it serves no tenant data.`);
      }
    }
  }

  get url(): string {
    return this.stage.url;
  }
}

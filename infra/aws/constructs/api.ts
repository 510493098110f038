import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestAuthorizer,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { Method, Stage } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GATEWAY_RESPONSE_CONTENT_TYPE, gatewayResponseBody, gatewayResponses } from '../../../shared/http/gateway-responses.ts';
import type { GatewayResponseType } from '../../../shared/http/gateway-responses.ts';
import type { FunctionId, RouteSpec, Topology } from '../../topology.ts';
import { acknowledgeNag } from '../nag.ts';
import { DomApiFirewall } from './api-firewall.ts';

export interface DomRestApiProps {
  readonly topology: Topology;
  readonly functions: Record<FunctionId, IFunction>;
  /** The REST REQUEST authorizer mapping a bearer API key to its tenant (`context.tenantId`). */
  readonly authorizer: IFunction;
  readonly stageName?: string;
}

/** `GET /orders/{orderId}`: how routes are named in the manifest, the tests and the docs. */
export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/**
 * The REST API (Lambda proxy integrations, payload v1): the manifest's routes, API-key routes behind a cached Lambda
 * REQUEST authorizer, and gateway responses that answer problem+json like every handler, so an error raised by API
 * Gateway itself (no route, no key, throttled, timeout) looks like any other error of the API.
 */
export class DomRestApi extends Construct {
  readonly api: RestApi;
  readonly stage: Stage;
  readonly firewall: DomApiFirewall;
  /** Methods by route key, `GET /health`. */
  readonly methods: Record<string, Method> = {};

  constructor(scope: Construct, id: string, props: DomRestApiProps) {
    super(scope, id);
    // The stage-wide throttle is the backstop for all callers together; the firewall below limits each API key.
    const throttle = props.topology.apiLimits.stageThrottle;
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      description: 'DOM REST API',
      endpointTypes: [EndpointType.REGIONAL],
      // Execution logs need the account's API Gateway CloudWatch role; it outlives the stack (an account setting).
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stageName ?? 'v1',
        tracingEnabled: true,
        // ERROR only: INFO and data tracing would log request and response bodies (tenant data).
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            method: '$context.httpMethod',
            resource: '$context.resourcePath',
            status: '$context.status',
            responseType: '$context.error.responseType',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            tenantId: '$context.authorizer.tenantId',
          }),
        ),
      },
    });
    this.stage = this.api.deploymentStage;
    this.addGatewayResponses();
    this.firewall = new DomApiFirewall(this, 'Firewall', { stage: this.stage, perApiKey: props.topology.apiLimits.perApiKey });

    // Created only if a route needs it: an authorizer attached to no method fails validation.
    let authorizer: RequestAuthorizer | undefined;
    const apiKeyAuthorizer = (): RequestAuthorizer =>
      (authorizer ??= new RequestAuthorizer(this, 'ApiKeyAuthorizer', {
        handler: props.authorizer,
        identitySources: [IdentitySource.header('Authorization')],
        resultsCacheTtl: Duration.seconds(60),
      }));

    // One integration per function, shared by its routes (updateShipment serves four).
    const integrations = new Map<FunctionId, LambdaIntegration>();
    for (const route of props.topology.routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        // allowTestInvoke: false halves the Lambda permissions (the console's test button is not worth a resource each).
        integration = new LambdaIntegration(props.functions[route.function], { proxy: true, allowTestInvoke: false });
        integrations.set(route.function, integration);
      }
      const method = this.api.root.resourceForPath(route.path).addMethod(route.method, integration,
        route.auth === 'apiKey'
          ? { authorizer: apiKeyAuthorizer(), authorizationType: AuthorizationType.CUSTOM }
          : { authorizationType: AuthorizationType.NONE });
      this.methods[routeKey(route)] = method;
      if (route.auth === 'none') {
        acknowledgeNag(method, 'APIG4', `${routeKey(route)} is public by design in the manifest (auth: 'none'): it serves no tenant data.`);
      }
      acknowledgeNag(method, 'COG4', route.auth === 'apiKey'
        ? 'Callers are machines holding per-tenant API keys, checked by the Lambda REQUEST authorizer; there are no Cognito users.'
        : `${routeKey(route)} is public by design (auth: 'none'): no authorizer of any kind.`);
    }

    acknowledgeNag(this.api, 'APIG2',
      'Requests are validated by the handlers (zod schemas, the same ones the OpenAPI document is built from), which answer problem+json per field; an API Gateway model would duplicate them and answer differently.');
    acknowledgeNag(this.api, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The account-wide role API Gateway uses to write execution and access logs; the AWS-managed policy is the documented one and only allows CloudWatch Logs.');
  }

  get url(): string {
    return this.api.url;
  }

  /** Every gateway response of the shared catalogue, and WAF's block as THROTTLED, as problem+json with the request id. */
  private addGatewayResponses(): void {
    for (const [type, spec] of Object.entries(gatewayResponses) as [GatewayResponseType, (typeof gatewayResponses)[GatewayResponseType]][]) {
      this.api.addGatewayResponse(type, {
        type: ResponseType.of(type),
        statusCode: String(spec.status),
        // Header values are mapping expressions: a literal is single-quoted.
        responseHeaders: { 'Content-Type': `'${GATEWAY_RESPONSE_CONTENT_TYPE}'` },
        // API Gateway picks the template by the request's Accept header, application/json when none matches; both
        // carry the same body and the Content-Type header above is what the client sees. Simple substitution, no VTL.
        templates: {
          'application/json': gatewayResponseBody(type, '$context.requestId'),
          [GATEWAY_RESPONSE_CONTENT_TYPE]: gatewayResponseBody(type, '$context.requestId'),
        },
      });
    }
    // WAF blocks for one reason in this web ACL, a tenant's API key over its request limit: to the client that is
    // throttling, and it gets the THROTTLED problem (429). A rule added later that blocks for another reason must
    // carry its own WAF custom response, which takes precedence over this one.
    const throttled = gatewayResponseBody('THROTTLED', '$context.requestId');
    this.api.addGatewayResponse('WAF_FILTERED', {
      type: ResponseType.WAF_FILTERED,
      statusCode: String(gatewayResponses.THROTTLED.status),
      responseHeaders: { 'Content-Type': `'${GATEWAY_RESPONSE_CONTENT_TYPE}'` },
      templates: { 'application/json': throttled, [GATEWAY_RESPONSE_CONTENT_TYPE]: throttled },
    });
  }
}

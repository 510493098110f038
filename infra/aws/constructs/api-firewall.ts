import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { ApiLimitsSpec } from '../../topology.ts';

export interface DomApiFirewallProps {
  readonly stage: Stage;
  readonly perApiKey: ApiLimitsSpec['perApiKey'];
}

/** The rule's name, also its CloudWatch metric (`AWS/WAFV2`, dimension `Rule`). */
export const PER_API_KEY_RULE = 'PerApiKeyRate';

/**
 * Per-tenant throttling: an AWS WAF web ACL on the API stage with one rate-based rule whose aggregation key is the
 * `Authorization` header, so every API key (every tenant's) has its own request count and a noisy tenant is blocked
 * alone. WAF runs before API Gateway's authorizer and needs nothing per tenant: a new key gets its bucket with its
 * first request. A request without the header is not counted (WAF skips requests that lack the key); the authorizer
 * refuses it anyway, and the stage throttle bounds it. A blocked request is answered by the stage's `WAF_FILTERED`
 * gateway response (see DomRestApi): the same 429 problem+json as API Gateway's own throttling.
 */
export class DomApiFirewall extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: DomApiFirewallProps) {
    super(scope, id);
    // Sampled requests would keep whole requests, Authorization header included (API keys in clear), for three
    // hours in the console: off. The counts of allowed and blocked requests stay in CloudWatch.
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      metricName,
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: false,
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      description: 'DOM REST API: a request limit per API key, that is per tenant',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('DomApi'),
      rules: [
        {
          name: PER_API_KEY_RULE,
          priority: 0,
          // No WAF custom response: WAF's would be static (no request id) and could not say application/problem+json,
          // so API Gateway answers it with its WAF_FILTERED gateway response instead.
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.perApiKey.limit,
              evaluationWindowSec: props.perApiKey.windowSeconds,
              aggregateKeyType: 'CUSTOM_KEYS',
              // The header value as sent (`Bearer <key>`): one aggregation instance per API key.
              customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
            },
          },
          visibilityConfig: visibility(PER_API_KEY_RULE),
        },
      ],
    });
    new CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}

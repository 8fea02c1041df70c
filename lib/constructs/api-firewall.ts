import { ArnFormat, Names, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { problemOutcome } from '../../lambdas/shared/http';
import { GATEWAY_REFUSALS } from '../trust-boundaries';

export interface ApiFirewallProps {
  readonly stage: apigateway.Stage;
  readonly logRetention: logs.RetentionDays;
  /** Customer-managed key of the firewall's log group (regulated deploys). */
  readonly logKey?: kms.IKey;
}

/**
 * Requests one client address may send per 5 minutes before the firewall answers 429 until its
 * rate falls again: everywhere, and on the public webhook route, whose every call costs a PSP
 * look-up, so a flood there is cut long before it can take the stage's throttle from shop calls.
 * Toss sends one webhook per status change and redelivers a refused one on its schedule.
 */
export const FIREWALL_RATE_LIMITS = { perAddress: 3_000, webhookPerAddress: 300 } as const;
const RATE_WINDOW_SECONDS = 300;
export const WEBHOOK_PATH_SUFFIX = '/webhooks/toss';
const THROTTLED_BODY = 'throttled';

/**
 * The firewall in front of the public API stage: rate limits per client address (the whole API,
 * and tighter on the webhook route), then AWS-managed rule groups (common exploits, known-bad
 * inputs). Every request it sees is logged to a CloudWatch log group (Authorization redacted).
 */
export class ApiFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const metricPrefix = Names.uniqueId(this);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${metricPrefix}-${metricName}`,
    });
    const throttle = {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: THROTTLED_BODY,
          responseHeaders: [{ name: 'Retry-After', value: String(RATE_WINDOW_SECONDS) }],
        },
      },
    };
    const rateRule = (name: string, priority: number, limit: number, scopeDown?: object) => ({
      name,
      priority,
      action: throttle,
      statement: {
        rateBasedStatement: {
          aggregateKeyType: 'IP',
          limit,
          evaluationWindowSec: RATE_WINDOW_SECONDS,
          ...(scopeDown ? { scopeDownStatement: scopeDown } : {}),
        },
      },
      visibilityConfig: visibility(name),
    });
    const webhookRoute = {
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'ENDS_WITH',
        searchString: WEBHOOK_PATH_SUFFIX,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    };
    const managedRuleGroups = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'];
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('WebAcl'),
      customResponseBodies: {
        [THROTTLED_BODY]: {
          contentType: 'APPLICATION_JSON',
          content: problemOutcome(GATEWAY_REFUSALS.THROTTLED).body,
        },
      },
      rules: [
        rateRule('WebhookRatePerAddress', 0, FIREWALL_RATE_LIMITS.webhookPerAddress, webhookRoute),
        rateRule('RatePerAddress', 1, FIREWALL_RATE_LIMITS.perAddress),
        ...managedRuleGroups.map((name, index) => ({
          name,
          priority: 2 + index,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(name),
        })),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF delivers only to log groups named aws-waf-logs-*, addressed by an ARN without `:*`.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 40 })}`,
      retention: props.logRetention,
      encryptionKey: props.logKey,
    });
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // SigV4 signatures are no secret, but they are credentials' fingerprints: keep them out.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
  }
}

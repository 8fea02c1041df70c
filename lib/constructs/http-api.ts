import { type CfnElement, CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { problemOutcome, withInstance } from '../../lambdas/shared/http';
import { entries, type Topology } from '../topology';
import {
  GATEWAY_REFUSALS,
  type GatewayRefusalCode,
  mayCall,
  type SignedCallerKind,
} from '../trust-boundaries';
import type { Functions } from './functions';

export interface StageThrottling {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface PaymentsRestApiProps {
  readonly topology: Topology;
  readonly functions: Functions;
  readonly throttling: StageThrottling;
  readonly logRetention: logs.RetentionDays;
  /** X-Ray tracing of the stage (the deploy profile's `tracing`). */
  readonly tracing: boolean;
  /** Own the account-wide API Gateway logging role, retained on delete (the deploy profile's `cloudWatchRole`). */
  readonly cloudWatchRole: boolean;
  /** Customer-managed key of the access log group (regulated deploys). */
  readonly logKey?: kms.IKey;
}

/** The stage carries the HTTP contract's version: clients call `<endpoint>/v1/...`. */
const API_STAGE_NAME = 'v1';

/** API Gateway's own refusals, rewritten to the contract's problem+json. */
const GATEWAY_RESPONSES: readonly [apigateway.ResponseType, GatewayRefusalCode][] = [
  // Also what API Gateway answers for a route that does not exist on an IAM-authorized API.
  [apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, 'AUTHENTICATION_REQUIRED'],
  [apigateway.ResponseType.INVALID_SIGNATURE, 'INVALID_SIGNATURE'],
  [apigateway.ResponseType.EXPIRED_TOKEN, 'INVALID_SIGNATURE'],
  [apigateway.ResponseType.UNAUTHORIZED, 'INVALID_SIGNATURE'],
  [apigateway.ResponseType.ACCESS_DENIED, 'ACCESS_DENIED'],
  [apigateway.ResponseType.THROTTLED, 'THROTTLED'],
  [apigateway.ResponseType.REQUEST_TOO_LARGE, 'REQUEST_TOO_LARGE'],
  // The firewall's managed rule groups blocked the request.
  [apigateway.ResponseType.WAF_FILTERED, 'ACCESS_DENIED'],
];

/** API Gateway fills this in per request (gateway-response templates see `$context`). */
const GATEWAY_REQUEST_ID = '$context.requestId';

const SIGNED_CALLERS: readonly SignedCallerKind[] = ['shop', 'operator'];

/** The REST API front door: one resource tree built from every `http` trigger, Lambda proxy integrations. */
export class PaymentsRestApi extends Construct {
  readonly api: apigateway.RestApi;

  constructor(scope: Construct, id: string, props: PaymentsRestApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.logKey,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'Payments HTTP contract (checkout, confirm, cancel, queries)',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: props.cloudWatchRole,
      cloudWatchRoleRemovalPolicy: props.cloudWatchRole ? RemovalPolicy.RETAIN : undefined,
      deployOptions: {
        stageName: API_STAGE_NAME,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // Request and response bodies carry payment data; keep them out of execution logs.
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: props.tracing,
        throttlingRateLimit: props.throttling.rateLimit,
        throttlingBurstLimit: props.throttling.burstLimit,
        methodOptions: routeThrottles(props.topology),
      },
    });
    if (!props.tracing) {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'Serverless-APIGWXrayEnabled',
        reason:
          'X-Ray tracing is opt-in per deploy (`-c tracing=true`): it costs per trace; access logs and metrics stay on.',
      });
    }
    // Bodies and headers are validated by the handlers, which must answer with the contract's
    // problem+json codes; no models are attached, so this validator never answers in API Gateway's format.
    const requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    for (const [responseType, code] of GATEWAY_RESPONSES) {
      // No handler ran, so the problem names API Gateway's request id (its access log's `requestId`).
      const refusal = withInstance(problemOutcome(GATEWAY_REFUSALS[code]), GATEWAY_REQUEST_ID);
      this.api.addGatewayResponse(`${code}${responseType.responseType}`, {
        type: responseType,
        statusCode: String(GATEWAY_REFUSALS[code].status),
        responseHeaders: { 'Content-Type': `'${refusal.contentType}'` },
        templates: { 'application/json': refusal.body },
      });
    }

    const invokable = new Map<SignedCallerKind, InvokableMethod[]>(SIGNED_CALLERS.map((kind) => [kind, []]));
    for (const [name, spec] of entries(props.topology.functions)) {
      const routes = spec.triggers.filter((trigger) => trigger.kind === 'http');
      if (routes.length === 0) continue;
      const integration = new apigateway.LambdaIntegration(props.functions.get(name), {
        proxy: true,
        allowTestInvoke: false,
      });
      for (const route of routes) {
        const method = this.api.root.resourceForPath(route.path).addMethod(route.method, integration, {
          requestValidator,
          authorizationType:
            route.caller === 'public' ? apigateway.AuthorizationType.NONE : apigateway.AuthorizationType.IAM,
        });
        if (route.caller === 'public') {
          Validations.of(method).acknowledge(
            {
              id: 'AwsSolutions-APIG4',
              reason: `${route.method} ${route.path} is public: ${route.publicBecause}`,
            },
            {
              id: 'AwsSolutions-COG4',
              reason: `${route.method} ${route.path} is public (no caller identity at all): ${route.publicBecause}`,
            },
          );
          continue;
        }
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason: `${route.method} ${route.path} is authorized by IAM (SigV4): its callers are the shop's servers and operators holding the invoke policies this stack outputs, not end users of a Cognito pool.`,
        });
        for (const kind of SIGNED_CALLERS) {
          if (mayCall(kind, route.caller)) invokable.get(kind)?.push({ ...route, arn: method.methodArn });
        }
      }
    }
    for (const [kind, methodArns] of invokable) this.invokePolicy(kind, methodArns);

    if (props.cloudWatchRole)
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level API Gateway logging role; AWS documents this managed policy as the way to let API Gateway write execution logs.',
      });
  }

  /**
   * A managed policy granting `execute-api:Invoke` on exactly the methods a caller kind may call;
   * attach it to the shop's (or the operators') role. Output as `<Kind>InvokePolicyArn`.
   */
  private invokePolicy(kind: SignedCallerKind, methods: readonly InvokableMethod[]): void {
    const title = `${kind[0]?.toUpperCase()}${kind.slice(1)}`;
    const policy = new iam.ManagedPolicy(this, `${title}InvokePolicy`, {
      description: `Lets a ${kind} principal call its payments API methods (execute-api:Invoke, SigV4)`,
      statements: [
        new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: methods.map((m) => m.arn) }),
      ],
    });
    // A path parameter is a `*` in the method ARN; the ARN still names one method of one stage.
    const logicalId = (scope: Construct) =>
      Stack.of(this).resolve((scope.node.defaultChild as CfnElement).logicalId) as string;
    const stagePrefix = `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${logicalId(this.api)}>/<${logicalId(this.api.deploymentStage)}>`;
    for (const method of methods.filter((m) => m.path.includes('{'))) {
      const resource = `${stagePrefix}/${method.method}${method.path.replace(/\{[^}]+\}/g, '*')}`;
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: `The * stands for the path parameter of ${method.method} ${method.path}: any order or seller id, on that one method of this API's stage only.`,
      });
    }
    new CfnOutput(this, `${title}InvokePolicyArn`, {
      key: `${title}InvokePolicyArn`,
      description: `Managed policy for ${kind} callers of the payments API`,
      value: policy.managedPolicyArn,
    });
  }
}

/**
 * Method settings of the routes with their own throttle (`<path>/<METHOD>`). A method setting replaces
 * the stage's for that method, so it repeats the stage's logging choices.
 */
function routeThrottles(topology: Topology): Record<string, apigateway.MethodDeploymentOptions> {
  const options: Record<string, apigateway.MethodDeploymentOptions> = {};
  for (const [, spec] of entries(topology.functions)) {
    for (const trigger of spec.triggers) {
      if (trigger.kind !== 'http' || !trigger.throttle) continue;
      options[`${trigger.path}/${trigger.method}`] = {
        throttlingRateLimit: trigger.throttle.rateLimit,
        throttlingBurstLimit: trigger.throttle.burstLimit,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
      };
    }
  }
  return options;
}

interface InvokableMethod {
  readonly method: string;
  readonly path: string;
  readonly arn: string;
}

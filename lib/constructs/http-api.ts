import { Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { entries, type Topology } from '../topology';
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
}

/** The stage carries the HTTP contract's version: clients call `<endpoint>/v1/...`. */
const API_STAGE_NAME = 'v1';

/** The REST API front door: one resource tree built from every `http` trigger, Lambda proxy integrations. */
export class PaymentsRestApi extends Construct {
  readonly api: apigateway.RestApi;

  constructor(scope: Construct, id: string, props: PaymentsRestApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'Payments HTTP contract (checkout, confirm, cancel, queries)',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: {
        stageName: API_STAGE_NAME,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // Request and response bodies carry payment data; keep them out of execution logs.
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.throttling.rateLimit,
        throttlingBurstLimit: props.throttling.burstLimit,
      },
    });
    // Bodies and headers are validated by the handlers, which must answer with the contract's
    // problem+json codes; no models are attached, so this validator never answers in API Gateway's format.
    const requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    for (const [name, spec] of entries(props.topology.functions)) {
      const routes = spec.triggers.filter((trigger) => trigger.kind === 'http');
      if (routes.length === 0) continue;
      const integration = new apigateway.LambdaIntegration(props.functions.get(name), {
        proxy: true,
        allowTestInvoke: false,
      });
      for (const route of routes) {
        this.api.root.resourceForPath(route.path).addMethod(route.method, integration, { requestValidator });
      }
    }

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'The HTTP contract has no caller authentication by design: the shop checkout and the PSP success redirect call it directly. A confirm only succeeds with the paymentKey the PSP issued after the buyer authenticated there and the stored amount; abuse is bounded by stage throttling and the WAF.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'No end-user identity exists in this service (see AwsSolutions-APIG4); Cognito would have no users to hold.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level API Gateway logging role; AWS documents this managed policy as the way to let API Gateway write execution logs.',
      },
    );
  }
}

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { resultWithInstance } from './http';
import { type Telemetry, tracingMiddleware } from './telemetry';

export interface ObservedOptions {
  /** Where the invocation's correlation id is (a dotted path into the event); API Gateway: its request id. */
  readonly correlationIdPath?: string;
  /** Answers are HTTP responses: every problem+json one names the request as its `instance`. */
  readonly http?: boolean;
}

/** An API Gateway (REST) invocation: correlated by `requestContext.requestId`, problems name their request. */
export const API_GATEWAY_REQUEST: ObservedOptions = {
  correlationIdPath: 'requestContext.requestId',
  http: true,
};

/**
 * The handler pipeline of every function (middy): the logger gets the Lambda context and the
 * correlation id, the invocation is traced (in Lambda), and the metrics it added are flushed when it ends.
 */
export function observed<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  { logger, metrics }: Telemetry,
  options: ObservedOptions = {},
) {
  const pipeline = middy(handler).use(
    injectLambdaContext(logger, { correlationIdPath: options.correlationIdPath, resetKeys: true }),
  );
  const tracing = tracingMiddleware();
  if (tracing) pipeline.use(tracing);
  if (options.http)
    pipeline.use({
      after: (request) => {
        const response = request.response as APIGatewayProxyResult | undefined;
        if (response) request.response = resultWithInstance(response, request.context.awsRequestId) as R;
      },
    });
  return pipeline.use(logMetrics(metrics, { captureColdStartMetric: true }));
}

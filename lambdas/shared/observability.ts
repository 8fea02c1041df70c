import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type Telemetry, tracingMiddleware } from './telemetry';

export interface ObservedOptions {
  /** Where the invocation's correlation id is (a dotted path into the event); API Gateway: its request id. */
  readonly correlationIdPath?: string;
}

/** The correlation id of an API Gateway (REST) invocation: `requestContext.requestId`. */
export const API_GATEWAY_REQUEST: ObservedOptions = { correlationIdPath: 'requestContext.requestId' };

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
  return pipeline.use(logMetrics(metrics, { captureColdStartMetric: true }));
}

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray tracing, when the deploy opted in (`tracing`): the bundler replaces PAYMENTS_TRACING with a
 * constant, and without tracing drops every branch on it together with Tracer and the X-Ray SDK
 * (~130 KiB, ~30% of a function's module init). Even when bundled it loads only in Lambda: the X-Ray
 * SDK installs async hooks as it loads, which made 300,000 awaits take 2.2 s instead of 0.1 s (measured).
 * The comparison is written out at each use: esbuild folds it there, but a module constant holding it
 * was not inlined into the function (measured). One instance: the segment comes from the invocation.
 */
export const tracer: Tracer | undefined =
  process.env.PAYMENTS_TRACING === 'true' && process.env.AWS_EXECUTION_ENV
    ? new (
        require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer')
      ).Tracer()
    : undefined;

/** Tracer's handler middleware (a segment per invocation), or nothing when there is no Tracer. */
export function tracingMiddleware() {
  return process.env.PAYMENTS_TRACING === 'true' && tracer
    ? (
        require('@aws-lambda-powertools/tracer/middleware') as typeof import('@aws-lambda-powertools/tracer/middleware')
      ).captureLambdaHandler(tracer, { captureResponse: false })
    : undefined;
}

/** An AWS SDK v3 client whose calls appear as X-Ray subsegments (unchanged outside Lambda). */
export function traced<T>(client: T): T {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/**
 * Reads the correlation id at a dotted property path (all our paths are plain ones such as
 * `requestContext.requestId`); a full JMESPath engine would add a second copy of it to the bundle.
 */
export function propertyAt(path: string, data: unknown): unknown {
  let value = data;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A function's own logger and metrics. Service name, level and namespace come from POWERTOOLS_* variables. */
export interface Telemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * One per handler module, never shared: the local runtime loads every handler into one process, and
 * a shared instance would log one function's context (function_name, request id) on another's lines.
 */
export function telemetry(): Telemetry {
  const logger = new Logger({ correlationIdSearchFn: propertyAt });
  // Metrics' own notices go to the function's log; the "no application metrics" warning after every
  // invocation that adds none (reads, health) is routine, so only its errors are kept. A forwarder,
  // not a child logger: errors carry the invocation's context, and there is no second Logger to build.
  const ignore = () => {};
  const errorsOnly = { error: logger.error.bind(logger), warn: ignore, info: ignore, debug: ignore };
  return { logger, metrics: new Metrics({ logger: errorsOnly }) };
}

/** One count of `name` with the answer's HTTP status as its dimension, flushed at once. */
export function countByStatus(metrics: Metrics, name: string, statusCode: number): void {
  metrics.singleMetric().addDimension('status', String(statusCode)).addMetric(name, MetricUnit.Count, 1);
}

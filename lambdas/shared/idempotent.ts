import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Deadline } from '../ports/psp';
import { dynamoDbClient, requiredEnv } from './composition';
import { type HttpOutcome, problemOutcome, toProxyResult, withInstance } from './http';

/**
 * An outcome that must not be remembered (the payment's fate is not known yet, or
 * another request holds it): thrown so Powertools deletes its record and a retry
 * runs the use case again. Every other outcome is returned, and so stored.
 */
export class TransientOutcome extends Error {
  constructor(readonly outcome: HttpOutcome) {
    super(`transient outcome ${outcome.statusCode}`);
    this.name = 'TransientOutcome';
  }
}

/** The request-level idempotency records (Powertools persistence over the idempotency table). */
export function idempotencyStore(client: DynamoDBClient = dynamoDbClient()): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName: requiredEnv('IDEMPOTENCY_TABLE'),
    awsSdkV3Client: client,
  });
}

/** How soon a request that met the same request in flight may retry (`Retry-After` on its 409). */
export const IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

interface Stored extends HttpOutcome {
  /** Set by the response hook on replays only. */
  readonly replayed?: boolean;
}

export interface IdempotentOptions {
  readonly persistenceStore: BasePersistenceLayer;
  /** JMESPath of the idempotency key within the use case's input. */
  readonly keyPath: string;
  /** JMESPath of what a repeat must carry unchanged; a difference is a 422. */
  readonly validationPath: string;
  readonly keyPrefix: string;
  readonly expiresAfterSeconds: number;
}

/**
 * Request-level guard (Powertools `makeIdempotent` around the use case). Replays return
 * the stored status and body unchanged, marked with `Idempotent-Replayed: true`.
 */
export function idempotent<T extends object>(
  useCase: (input: T, deadline: Deadline) => Promise<HttpOutcome>,
  options: IdempotentOptions,
): (input: T, context: Context) => Promise<APIGatewayProxyResult> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: options.keyPath,
    payloadValidationJmesPath: options.validationPath,
    expiresAfterSeconds: options.expiresAfterSeconds,
    throwOnNoIdempotencyKey: true,
    responseHook: (response) => ({ ...(response as object), replayed: true }),
  });
  // The request id goes into a problem before it is stored, so a replay repeats it byte for byte.
  const identified = async (input: T, call: { deadline: Deadline; requestId: string }) =>
    withInstance(await useCase(input, call.deadline), call.requestId);
  const guarded = makeIdempotent(identified, {
    persistenceStore: options.persistenceStore,
    config,
    keyPrefix: options.keyPrefix,
    dataIndexArgument: 0,
  });
  return async (input, context) => {
    config.registerLambdaContext(context);
    try {
      // The Lambda context is the deadline of every PSP call, so retries never outlive the function.
      const deadline: Deadline = { remainingMs: () => context.getRemainingTimeInMillis() };
      const { replayed, ...outcome } = (await guarded(input, {
        deadline,
        requestId: context.awsRequestId,
      })) as Stored;
      return toProxyResult(outcome, replayed ? { 'Idempotent-Replayed': 'true' } : {});
    } catch (error) {
      if (error instanceof TransientOutcome) return toProxyResult(error.outcome);
      if (error instanceof IdempotencyAlreadyInProgressError) {
        return toProxyResult(
          problemOutcome(
            {
              status: 409,
              code: 'IDEMPOTENCY_IN_PROGRESS',
              title: 'Request in progress',
              detail: 'An identical request is being processed; retry shortly.',
            },
            { retryAfterSeconds: IN_FLIGHT_RETRY_AFTER_SECONDS },
          ),
        );
      }
      if (error instanceof IdempotencyValidationError) {
        return toProxyResult(keyReused());
      }
      throw error;
    }
  };
}

export function keyReused(): HttpOutcome {
  return problemOutcome({
    status: 422,
    code: 'IDEMPOTENCY_KEY_REUSED',
    title: 'Idempotency key reused',
    detail: 'This idempotency key was already used with a different request.',
  });
}

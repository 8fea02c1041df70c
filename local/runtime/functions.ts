import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import type { FunctionName, FunctionSpec } from '../../lib/topology';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalFunction {
  readonly name: FunctionName;
  invoke(event: unknown): Promise<unknown>;
}

/** A Lambda context whose remaining time counts down from the function's configured timeout. */
function contextFor(name: string, spec: FunctionSpec): Context {
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  const fail = () => {
    throw new Error('legacy callback-style context methods are not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

/** Loads the very handler module Lambda runs (`export const handler`). */
export async function loadFunction(
  root: string,
  name: FunctionName,
  spec: FunctionSpec,
): Promise<LocalFunction> {
  const loaded = (await import(resolve(root, spec.entry))) as { handler?: Handler };
  const handler = loaded.handler;
  if (typeof handler !== 'function') throw new Error(`${spec.entry} does not export a handler`);
  return {
    name,
    invoke: async (event) => {
      const context = contextFor(name, spec);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${name} timed out after ${spec.timeoutSeconds} s`)),
          spec.timeoutSeconds * 1000,
        );
      });
      try {
        return await Promise.race([handler(event, context), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The handler pipeline (lambdas/shared/observability.ts): Powertools Logger, Tracer and Metrics composed
 * with middy. Log and EMF lines are read from stdout, where Powertools writes them.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { build } from 'esbuild';
import { cdkBundling } from '../../bench/bundles';
import { API_GATEWAY_REQUEST, observed } from '../../lambdas/shared/observability';
import { countByStatus, propertyAt, telemetry, traced, tracer } from '../../lambdas/shared/telemetry';

process.env.POWERTOOLS_METRICS_NAMESPACE = 'PaymentsTest';
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
delete process.env.POWERTOOLS_METRICS_DISABLED;

type Line = Record<string, unknown>;

/** Runs `work` and returns the JSON lines it wrote to stdout. */
async function stdoutLines(work: () => Promise<unknown>): Promise<Line[]> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Line);
}

function contextOf(functionName: string, requestId: string): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => 1000,
  } as unknown as Context;
}

const apiEvent = (requestId: string) =>
  ({ requestContext: { requestId }, headers: {} }) as unknown as APIGatewayProxyEvent;

test('each handler logs its own function name, request id and API Gateway correlation id, even interleaved', async () => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const first = telemetry();
  const second = telemetry();
  const confirm = observed(
    async () => {
      await held; // the other function is invoked meanwhile, as in the local runtime's one process
      first.logger.info('confirm done');
      return { statusCode: 200 };
    },
    first,
    API_GATEWAY_REQUEST,
  );
  const wallet = observed(async () => {
    second.logger.info('wallet done');
    return {};
  }, second);

  const lines = await stdoutLines(async () => {
    const pending = confirm(apiEvent('api-request-1'), contextOf('confirmPayment', 'lambda-1'));
    await wallet({}, contextOf('wallet', 'lambda-2'));
    release();
    await pending;
  });

  const confirmLine = lines.find((line) => line.message === 'confirm done');
  const walletLine = lines.find((line) => line.message === 'wallet done');
  expect(confirmLine).toMatchObject({
    function_name: 'confirmPayment',
    function_request_id: 'lambda-1',
    correlation_id: 'api-request-1',
  });
  expect(walletLine).toMatchObject({ function_name: 'wallet', function_request_id: 'lambda-2' });
  expect(walletLine).not.toHaveProperty('correlation_id');
});

test('metrics added during an invocation are flushed as EMF when it ends, in the configured namespace', async () => {
  const own = telemetry();
  const handler = observed(async () => {
    countByStatus(own.metrics, 'ConfirmOutcome', 402);
    own.metrics.addMetric('PspLatency_confirm', 'Milliseconds', 42);
    return {};
  }, own);

  const lines = await stdoutLines(() => handler({}, contextOf('confirmPayment', 'lambda-3')));

  const emf = lines.filter((line) => '_aws' in line);
  const outcome = emf.find((line) => 'ConfirmOutcome' in line);
  expect(outcome).toMatchObject({ ConfirmOutcome: 1, status: '402' });
  expect(emf.find((line) => 'PspLatency_confirm' in line)).toMatchObject({ PspLatency_confirm: 42 });
  for (const line of emf) {
    expect(
      (line._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]?.Namespace,
    ).toBe('PaymentsTest');
  }
});

test('an invocation that adds no metric writes no warning', async () => {
  const own = telemetry();
  const handler = observed(async () => ({}), own);
  await handler({}, contextOf('getPayment', 'lambda-4')); // the cold start
  const lines = await stdoutLines(() => handler({}, contextOf('getPayment', 'lambda-5')));
  expect(lines.filter((line) => line.level === 'WARN')).toEqual([]);
});

test('the correlation id is read at a dotted path, and is absent where the path is', () => {
  expect(propertyAt('requestContext.requestId', { requestContext: { requestId: 'r-1' } })).toBe('r-1');
  expect(propertyAt('requestContext.requestId', { requestContext: null })).toBeUndefined();
  expect(propertyAt('requestContext.requestId', {})).toBeUndefined();
  expect(propertyAt('requestContext.requestId', 'text')).toBeUndefined();
});

test('outside Lambda no Tracer is loaded and clients are used as they are', () => {
  const client = { send: async () => 'sent' };
  expect(tracer).toBeUndefined();
  expect(traced(client)).toBe(client);
});

test.each([
  [false, false],
  [true, true],
])('a function bundled with tracing=%s carries Tracer and the X-Ray SDK: %s', async (tracing, carried) => {
  const { metafile } = await build({
    ...cdkBundling(tracing),
    entryPoints: ['lambdas/shared/telemetry.ts'],
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  // Inputs that contribute bytes to the output (a dropped branch's modules contribute none).
  const inputs = Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
  expect(inputs.some((path) => path.includes('node_modules/@aws-lambda-powertools/tracer/'))).toBe(carried);
  expect(inputs.some((path) => path.includes('node_modules/aws-xray-sdk-core/'))).toBe(carried);
  // Logger and Metrics are there either way.
  expect(inputs.some((path) => path.includes('node_modules/@aws-lambda-powertools/logger/'))).toBe(true);
});

import { Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { FUNCTION_RUNTIME, METRICS_NAMESPACE } from '../../lib/constructs/functions';
import { deadLetterQueueName, entries, type FunctionSpec, type Topology, topology } from '../../lib/topology';
import { fullTopology } from './fixtures/full-topology';
import { PSP_BASE_URL, type SynthesizedPaymentsApp, synthPaymentsApp } from './synth-payments-app';
import {
  actionsOf,
  functionPolicyStatements,
  grantedTopologyNames,
  type TemplateResource,
  topologyNamesByLogicalId,
  topologyResource,
} from './template-queries';

/** Actions that AWS offers only on `*`; nothing else may be granted on a wildcard resource. */
const WILDCARD_ONLY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'dynamodb:ListStreams'];

/** A function's DynamoDB actions by what they are granted on: `<table>`, `<table>/index/<name>`, `<table>/stream`. */
function dynamoDbGrantsOf(
  synth: SynthesizedPaymentsApp,
  statefulNames: Map<string, string>,
  name: string,
): Record<string, string[]> {
  const grants: Record<string, Set<string>> = {};
  for (const statement of functionPolicyStatements(synth.statelessTemplate, name)) {
    const actions = actionsOf(statement).filter((action) => action.startsWith('dynamodb:'));
    if (actions.length === 0 || statement.Resource === '*') continue;
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const resource of resources) {
      const text = JSON.stringify(resource);
      const [table] = grantedTopologyNames({ ...statement, Resource: resource }, statefulNames);
      const index = /\/index\/([A-Za-z]+)/.exec(text)?.[1];
      const target = index
        ? `${table}/index/${index}`
        : text.includes('StreamArn')
          ? `${table}/stream`
          : table;
      const granted = grants[String(target)] ?? new Set<string>();
      for (const action of actions) granted.add(action.replace('dynamodb:', ''));
      grants[String(target)] = granted;
    }
  }
  return Object.fromEntries(Object.entries(grants).map(([target, actions]) => [target, [...actions].sort()]));
}

describe.each<[string, Topology]>([
  ['real topology', topology],
  ['full fixture topology', fullTopology],
])('stateless stack (%s)', (_label, subject) => {
  let synth: SynthesizedPaymentsApp;
  let statefulNames: Map<string, string>;
  beforeAll(() => {
    synth = synthPaymentsApp(subject);
    statefulNames = topologyNamesByLogicalId(synth.statefulTemplate);
  });

  const fn = (name: string) => topologyResource(synth.statelessTemplate, 'AWS::Lambda::Function', name);
  const queueLogicalId = (name: string) =>
    topologyResource(synth.statefulTemplate, 'AWS::SQS::Queue', name).logicalId;
  const tableLogicalId = (name: string) =>
    topologyResource(synth.statefulTemplate, 'AWS::DynamoDB::Table', name).logicalId;
  const dynamoDbGrants = (name: string) => dynamoDbGrantsOf(synth, statefulNames, name);
  /** A cross-stack reference to attribute `attribute` of stateful resource `logicalId`. */
  const importOf = (logicalId: string, attribute: string) => ({
    'Fn::ImportValue': Match.stringLikeRegexp(`${logicalId}${attribute}`),
  });

  test('the function runtime is the newest Node.js this aws-cdk-lib offers, at least 22', () => {
    const nodeVersion = (runtime: lambda.Runtime) => Number(/^nodejs(\d+)/.exec(runtime.name)?.[1] ?? 0);
    const newest = Math.max(...lambda.Runtime.ALL.map(nodeVersion));
    expect(nodeVersion(FUNCTION_RUNTIME)).toBe(newest);
    expect(newest).toBeGreaterThanOrEqual(22);
  });

  test('every Lambda function is a topology function on that runtime, arm64, traced', () => {
    const functions = synth.statelessTemplate.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(Object.keys(subject.functions).length);
    for (const [name, spec] of entries(subject.functions)) {
      const props = fn(name).resource.Properties;
      expect(props).toMatchObject({
        Runtime: FUNCTION_RUNTIME.name,
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
      expect(props.ReservedConcurrentExecutions).toBe(spec.reservedConcurrency);
    }
    for (const logGroup of Object.values(synth.statelessTemplate.findResources('AWS::Logs::LogGroup'))) {
      expect((logGroup as TemplateResource).Properties.RetentionInDays).toEqual(expect.any(Number));
    }
  });

  test('environment names exactly the declared tables, queues and buckets, and PSP settings only where needed', () => {
    for (const [name, spec] of entries(subject.functions)) {
      const variables = (fn(name).resource.Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
      const expected = [
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_METRICS_NAMESPACE',
        ...Object.keys(spec.tables).map((table) => subject.tables[table as keyof Topology['tables']].envVar),
        ...Object.keys(spec.queues).map((queue) => subject.queues[queue as keyof Topology['queues']].envVar),
        ...Object.keys(spec.buckets ?? {}).map(
          (bucket) => subject.buckets[bucket as keyof Topology['buckets']].envVar,
        ),
        ...(spec.psp ? ['PSP_BASE_URL', 'PSP_SECRET_ARN'] : []),
        ...(!spec.psp && spec.pspSecretStatus ? ['PSP_SECRET_ARN'] : []),
        ...('orderIdSecret' in spec && spec.orderIdSecret ? ['ORDER_ID_SECRET_ARN'] : []),
      ];
      expect(Object.keys(variables).sort()).toEqual(expected.sort());
      expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
      if (spec.psp) expect(variables.PSP_BASE_URL).toBe(PSP_BASE_URL);
    }
  });

  test('stream triggers map to DynamoDB event sources with the topology settings', () => {
    for (const [name, spec] of entries(subject.functions)) {
      for (const trigger of spec.triggers) {
        if (trigger.kind !== 'stream') continue;
        synth.statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          FunctionName: { Ref: fn(name).logicalId },
          EventSourceArn: importOf(tableLogicalId(trigger.table), 'StreamArn'),
          StartingPosition: 'TRIM_HORIZON',
          BatchSize: trigger.batchSize,
          ParallelizationFactor: trigger.parallelizationFactor,
          BisectBatchOnFunctionError: trigger.bisectOnError,
          MaximumRetryAttempts: trigger.maxRetryAttempts,
          MaximumRecordAgeInSeconds: trigger.maxRecordAgeSeconds,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          FilterCriteria: { Filters: trigger.filters.map((filter) => ({ Pattern: JSON.stringify(filter) })) },
          DestinationConfig: {
            OnFailure: { Destination: importOf(queueLogicalId(trigger.onFailureQueue), 'Arn') },
          },
        });
      }
    }
  });

  test('queue triggers map to SQS event sources with partial batch responses', () => {
    for (const [name, spec] of entries(subject.functions)) {
      for (const trigger of spec.triggers) {
        if (trigger.kind !== 'queue') continue;
        synth.statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          FunctionName: { Ref: fn(name).logicalId },
          EventSourceArn: importOf(queueLogicalId(trigger.queue), 'Arn'),
          BatchSize: trigger.batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        });
      }
    }
  });

  test('a consumed queue keeps a message invisible for at least 6x its consumer timeout', () => {
    for (const [name, spec] of entries(subject.functions)) {
      for (const trigger of spec.triggers) {
        if (trigger.kind !== 'queue') continue;
        const queue = topologyResource(synth.statefulTemplate, 'AWS::SQS::Queue', trigger.queue);
        const timeout = fn(name).resource.Properties.Timeout as number;
        expect(queue.resource.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
      }
    }
  });

  test('schedule triggers map to EventBridge Scheduler schedules, cron in Seoul time, with bounded retries and a DLQ', () => {
    for (const [name, spec] of entries(subject.functions)) {
      for (const trigger of spec.triggers) {
        if (trigger.kind !== 'schedule') continue;
        synth.statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
          ScheduleExpression: trigger.expression,
          ScheduleExpressionTimezone: trigger.expression.startsWith('cron(') ? 'Asia/Seoul' : 'Etc/UTC',
          State: 'ENABLED',
          Target: Match.objectLike({
            Arn: { 'Fn::GetAtt': [fn(name).logicalId, 'Arn'] },
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
            // The scheduled time, as an EventBridge rule's event has it (reconciliation reads it).
            Input: JSON.stringify({ time: '<aws.scheduler.scheduled-time>' }),
          }),
        });
      }
    }
    expect(synth.statelessTemplate.findResources('AWS::Events::Rule')).toEqual({});
  });

  test('every schedule target has a dead-letter queue and every scheduled (asynchronously invoked) function an on-failure destination', () => {
    const schedules = Object.values(synth.statelessTemplate.findResources('AWS::Scheduler::Schedule'));
    const scheduled = entries(subject.functions).filter(([, spec]) =>
      spec.triggers.some((t) => t.kind === 'schedule'),
    );
    expect(schedules.length).toBeGreaterThanOrEqual(scheduled.length);
    const queues = synth.statelessTemplate.findResources('AWS::SQS::Queue');
    for (const schedule of schedules) {
      const [queueId] = schedule.Properties.Target.DeadLetterConfig.Arn['Fn::GetAtt'];
      expect(queues[queueId]).toBeDefined();
    }
    const invokeConfigs = Object.values(
      synth.statelessTemplate.findResources('AWS::Lambda::EventInvokeConfig'),
    );
    for (const [name] of scheduled) {
      const config = invokeConfigs.find((c) => c.Properties.FunctionName.Ref === fn(name).logicalId);
      expect(config?.Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
      const [queueId] = config?.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'] ?? [];
      expect(queues[queueId]?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 1_209_600,
      });
      // The same queue keeps the deliveries the scheduler gave up on; any message in it is alarmed.
      synth.statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [fn(name).logicalId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        }),
      });
      synth.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      });
    }
    // Nothing else is invoked asynchronously: API Gateway calls synchronously, streams and queues poll.
    expect(invokeConfigs).toHaveLength(scheduled.length);
  });

  test('routes with their own throttle get a method-level setting; the webhook route has one below the stage', () => {
    const stage = Object.values(synth.statelessTemplate.findResources('AWS::ApiGateway::Stage'))[0] as
      | TemplateResource
      | undefined;
    const settings = (stage?.Properties.MethodSettings ?? []) as Record<string, unknown>[];
    const throttled = Object.values(subject.functions).flatMap((spec) =>
      spec.triggers.flatMap((t) => (t.kind === 'http' && t.throttle ? [{ ...t, throttle: t.throttle }] : [])),
    );
    expect(settings.filter((s) => s.ResourcePath !== '/*')).toEqual(
      throttled.map((route) => ({
        HttpMethod: route.method,
        // API Gateway's escaping of a resource path in a method setting.
        ResourcePath: `/${route.path.replaceAll('/', '~1')}`,
        ThrottlingRateLimit: route.throttle.rateLimit,
        ThrottlingBurstLimit: route.throttle.burstLimit,
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        MetricsEnabled: true,
      })),
    );
    expect(throttled).toContainEqual(
      expect.objectContaining({
        method: 'POST',
        path: '/webhooks/toss',
        throttle: { rateLimit: expect.any(Number), burstLimit: expect.any(Number) },
      }),
    );
    for (const route of throttled) {
      expect(route.throttle.rateLimit).toBeLessThan(100);
      expect(route.throttle.burstLimit).toBeLessThan(200);
    }
    expect(settings.find((s) => s.ResourcePath === '/~1webhooks~1toss')).toMatchObject({
      HttpMethod: 'POST',
    });
  });

  test('the REST API validates requests, logs access, traces and throttles its stage', () => {
    const methods = Object.values(synth.statelessTemplate.findResources('AWS::ApiGateway::Method'));
    const routes = Object.values(subject.functions).flatMap((spec) =>
      spec.triggers.filter((trigger) => trigger.kind === 'http'),
    );
    expect(methods).toHaveLength(routes.length);
    for (const method of methods) {
      expect((method as TemplateResource).Properties).toMatchObject({
        RequestValidatorId: { Ref: expect.any(String) },
        Integration: { Type: 'AWS_PROXY' },
      });
    }
    synth.statelessTemplate.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    synth.statelessTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      TracingEnabled: true,
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
        }),
      ]),
    });
    synth.statelessTemplate.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  test('every DLQ and every terminal queue alarms on its first visible message', () => {
    const waitingQueues = entries(subject.queues).map(([name, spec]) =>
      spec.deadLetter ? deadLetterQueueName(name) : name,
    );
    for (const name of waitingQueues) {
      synth.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: importOf(queueLogicalId(name), 'QueueName') }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    }
  });

  test.each([
    ['reconciliation', 'ReconciliationDiscrepancies'],
    ['recovery', 'RecoveryExhausted'],
    ['recovery', 'CancelIntentHeld'],
  ])('%s raises an alarm on any %s', (service, metricName) => {
    synth.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRICS_NAMESPACE,
      MetricName: metricName,
      Dimensions: [{ Name: 'service', Value: service }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  describe('least privilege', () => {
    const declaredOrTriggered = (spec: FunctionSpec) => {
      const triggered = spec.triggers.flatMap((trigger) => {
        if (trigger.kind === 'stream') return [trigger.table, trigger.onFailureQueue];
        if (trigger.kind === 'queue') return [trigger.queue];
        return [];
      });
      const redriven = Object.entries(spec.queues)
        .filter(([, access]) => access === 'redrive')
        .map(([queue]) => deadLetterQueueName(queue));
      return new Set([
        ...Object.keys(spec.tables),
        ...Object.keys(spec.queues),
        ...Object.keys(spec.buckets ?? {}),
        ...triggered,
        ...redriven,
      ]);
    };

    test('functions reach only the tables, queues and buckets their spec declares or their triggers need', () => {
      for (const [name, spec] of entries(subject.functions)) {
        const allowed = declaredOrTriggered(spec);
        for (const statement of functionPolicyStatements(synth.statelessTemplate, name)) {
          for (const granted of grantedTopologyNames(statement, statefulNames)) {
            expect({ function: name, granted, allowed: allowed.has(granted) }).toEqual({
              function: name,
              granted,
              allowed: true,
            });
          }
        }
      }
    });

    test('a function without tables has no DynamoDB permission at all (health)', () => {
      for (const [name, spec] of entries(subject.functions)) {
        const usesTables =
          Object.keys(spec.tables).length > 0 || spec.triggers.some((t) => t.kind === 'stream');
        if (usesTables) continue;
        const actions = functionPolicyStatements(synth.statelessTemplate, name).flatMap(actionsOf);
        expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
      }
      expect(subject.functions.health.tables).toEqual({});
    });

    test('each function gets exactly the DynamoDB actions its spec lists, and Query alone on the indexes it names', () => {
      for (const [name, spec] of entries(subject.functions)) {
        const expected: Record<string, string[]> = {};
        for (const [table, access] of Object.entries(spec.tables)) {
          expected[table] = [...access.actions].sort();
          for (const index of access.indexQueries ?? []) expected[`${table}/index/${index}`] = ['Query'];
        }
        for (const trigger of spec.triggers)
          if (trigger.kind === 'stream')
            expected[`${trigger.table}/stream`] = ['DescribeStream', 'GetRecords', 'GetShardIterator'];
        expect({ name, grants: dynamoDbGrants(name) }).toEqual({ name, grants: expected });
      }
    });

    test('bucket writers may only put objects into their declared buckets', () => {
      for (const [name, spec] of entries(subject.functions)) {
        const statements = functionPolicyStatements(synth.statelessTemplate, name);
        const s3Actions = statements.flatMap(actionsOf).filter((action) => action.startsWith('s3:'));
        const writes = Object.keys(spec.buckets ?? {});
        expect({ name, s3Actions }).toEqual({ name, s3Actions: writes.map(() => 's3:PutObject') });
        for (const bucket of writes) {
          const onBucket = statements.filter((s) => grantedTopologyNames(s, statefulNames).includes(bucket));
          expect(onBucket.flatMap(actionsOf)).toEqual(['s3:PutObject']);
        }
      }
    });

    test('only PSP functions read the PSP secret; only functions deriving order ids read the order-id secret', () => {
      const secrets = Object.keys(synth.statefulTemplate.findResources('AWS::SecretsManager::Secret'));
      const logicalId = (prefix: string) => secrets.find((id) => id.startsWith(prefix)) ?? prefix;
      const [psp, orderIds] = [logicalId('PspSecret'), logicalId('OrderIdSecret')];
      for (const [name, spec] of entries(subject.functions)) {
        const readable = functionPolicyStatements(synth.statelessTemplate, name)
          .filter((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue'))
          .map((statement) => JSON.stringify(statement.Resource));
        expect({
          name,
          psp: readable.some((resource) => resource.includes(psp)),
          orderIds: readable.some((resource) => resource.includes(orderIds)),
        }).toEqual({ name, psp: spec.psp, orderIds: 'orderIdSecret' in spec && spec.orderIdSecret === true });
      }
    });

    test('wildcard resources carry only actions that AWS offers on "*" alone', () => {
      for (const [name] of entries(subject.functions)) {
        for (const statement of functionPolicyStatements(synth.statelessTemplate, name)) {
          if (statement.Resource !== '*') continue;
          for (const action of actionsOf(statement)) expect(WILDCARD_ONLY_ACTIONS).toContain(action);
        }
      }
    });
  });
});

describe('least privilege of the real topology, action by action', () => {
  let synth: SynthesizedPaymentsApp;
  let statefulNames: Map<string, string>;
  beforeAll(() => {
    synth = synthPaymentsApp(topology);
    statefulNames = topologyNamesByLogicalId(synth.statefulTemplate);
  });

  const PAYMENT_WRITES = ['PutItem', 'Query', 'UpdateItem'];
  const IDEMPOTENCY = ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'];
  const STREAM = ['DescribeStream', 'GetRecords', 'GetShardIterator'];

  test('each function holds exactly the DynamoDB actions its code calls (no Scan, DeleteItem or BatchWrite it does not use)', () => {
    const grants = Object.fromEntries(
      Object.keys(topology.functions).map((name) => [name, dynamoDbGrantsOf(synth, statefulNames, name)]),
    );
    expect(grants).toEqual({
      health: {},
      checkout: { payments: ['PutItem'], idempotency: IDEMPOTENCY },
      confirmPayment: { payments: PAYMENT_WRITES, idempotency: IDEMPOTENCY },
      // The consumers' per-payment cursors, read while the latest event is in flight.
      getPayment: { payments: ['Query'], wallets: ['GetItem'], ledger: ['GetItem'] },
      cancelPayment: { payments: PAYMENT_WRITES, idempotency: IDEMPOTENCY },
      pspWebhook: { payments: ['GetItem', 'PutItem', 'UpdateItem'] },
      publisher: { payments: ['Query', 'UpdateItem'], 'payments/stream': STREAM },
      outboxSweeper: { payments: ['Query', 'UpdateItem'], 'payments/index/incomplete': ['Query'] },
      completionSweeper: {
        payments: ['GetItem', 'Query', 'UpdateItem'],
        'payments/index/incomplete': ['Query'],
      },
      recovery: { payments: [...PAYMENT_WRITES, 'GetItem'].sort(), 'payments/index/recovery': ['Query'] },
      wallet: { wallets: ['PutItem', 'UpdateItem'] },
      ledger: { ledger: ['PutItem', 'UpdateItem'] },
      completion: {
        payments: ['ConditionCheckItem', 'PutItem', 'UpdateItem'],
        wallets: ['GetItem'],
        ledger: ['GetItem'],
      },
      getWallet: { wallets: ['BatchGetItem'] },
      trialBalance: { ledger: ['Query'] },
      reconciliation: {
        payments: ['BatchGetItem', 'PutItem', 'Query', 'UpdateItem'],
        'payments/index/approvalDay': ['Query'],
        wallets: ['Scan'],
        ledger: ['GetItem', 'PutItem', 'Query', 'UpdateItem'],
      },
    });
  });

  test('the public health function may describe the PSP secret, never read its value', () => {
    const actions = functionPolicyStatements(synth.statelessTemplate, 'health').flatMap(actionsOf);
    expect(actions.filter((action) => action.startsWith('secretsmanager:'))).toEqual([
      'secretsmanager:DescribeSecret',
    ]);
  });
});

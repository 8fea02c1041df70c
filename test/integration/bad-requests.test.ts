/**
 * "Never a 5xx for anything a client can get wrong" (DESIGN §3), and nothing a client gets
 * wrong leaves a trace: hundreds of generated bad requests to POST /checkouts, POST
 * /payments/confirm and POST /payments/{orderId}/cancel must each answer a 4xx
 * problem+json, and every table must hold exactly the same items before and after.
 */
import { createHash } from 'node:crypto';
import { type AttributeValue, DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import {
  api,
  checkoutBody,
  createOrder,
  type HttpAnswer,
  newKey,
  postCheckout,
} from '../support/http-client';

const TABLES = ['payments', 'idempotency'] as const;
const MAX_AMOUNT = 1_000_000_000_000;
const MAX_BODY_BYTES = 16 * 1024;
/** Requests per property run, sent at once: modest concurrency. */
const BATCH = 5;
const RUNS = 110;

// ---------------------------------------------------------------------------------------------
// Table snapshots

interface TableSnapshot {
  readonly count: number;
  readonly hash: string;
  /** Item identity (keys) → hash of the whole item, to name what changed. */
  readonly items: ReadonlyMap<string, string>;
}

type Snapshot = Readonly<Record<(typeof TABLES)[number], TableSnapshot>>;

let dynamo: DynamoDBClient;

/** JSON with sorted keys, so equal items hash equally whatever the attribute order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function identity(item: Record<string, AttributeValue>): string {
  return ['pk', 'sk', 'id'].map((k) => canonical(item[k] ?? null)).join('|');
}

async function scanTable(table: string): Promise<TableSnapshot> {
  const items = new Map<string, string>();
  for await (const page of paginateScan({ client: dynamo }, { TableName: table, ConsistentRead: true })) {
    for (const item of page.Items ?? []) items.set(identity(item), sha256(canonical(item)));
  }
  const all = [...items.entries()].sort(([a], [b]) => a.localeCompare(b));
  return { count: items.size, hash: sha256(canonical(all)), items };
}

async function snapshot(): Promise<Snapshot> {
  const [payments, idempotency] = await Promise.all(TABLES.map(scanTable));
  return { payments: payments as TableSnapshot, idempotency: idempotency as TableSnapshot };
}

const summaryOf = (s: Snapshot) =>
  Object.fromEntries(TABLES.map((t) => [t, { count: s[t].count, hash: s[t].hash }]));

/** Waits until background work (stream publishers, schedules) has settled: two equal scans in a row. */
async function settledSnapshot(): Promise<Snapshot> {
  let previous = await snapshot();
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const current = await snapshot();
    if (canonical(summaryOf(current)) === canonical(summaryOf(previous))) return current;
    previous = current;
  }
  return previous;
}

function differences(before: Snapshot, after: Snapshot) {
  return Object.fromEntries(
    TABLES.map((t) => {
      const [b, a] = [before[t].items, after[t].items];
      return [
        t,
        {
          added: [...a.keys()].filter((k) => !b.has(k)),
          removed: [...b.keys()].filter((k) => !a.has(k)),
          changed: [...a.keys()].filter((k) => b.has(k) && b.get(k) !== a.get(k)),
        },
      ];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Bad requests

interface BadRequest {
  readonly route: 'checkout' | 'confirm' | 'cancel';
  /** What is wrong with it, for the report and for shrunk counterexamples. */
  readonly defect: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

type Json = Record<string, unknown>;

const KEY_CHARS = /^[A-Za-z0-9_-]{6,64}$/;
const validKey = fc.stringMatching(KEY_CHARS);

/** A missing or malformed Idempotency-Key; never with whitespace at its ends (HTTP trims it). */
const badKey: fc.Arbitrary<{ defect: string; headers: Record<string, string> }> = fc.oneof(
  fc.constant({ defect: 'key missing', headers: {} }),
  fc.constant({ defect: 'key empty', headers: { 'Idempotency-Key': '' } }),
  fc
    .stringMatching(/^[A-Za-z0-9_-]{1,5}$/)
    .map((k) => ({ defect: 'key too short', headers: { 'Idempotency-Key': k } })),
  fc
    .stringMatching(/^[A-Za-z0-9_-]{65,120}$/)
    .map((k) => ({ defect: 'key too long', headers: { 'Idempotency-Key': k } })),
  fc
    .tuple(
      fc.stringMatching(/^[A-Za-z0-9_-]{3,30}$/),
      fc.constantFrom('.', '!', '~', '/', ':', '@', ' ', '+', '=', '*', "'", '"', '%', '#', '$', '\t'),
      fc.stringMatching(/^[A-Za-z0-9_-]{3,30}$/),
    )
    .map(([a, c, b]) => ({
      defect: 'key with a forbidden character',
      headers: { 'Idempotency-Key': `${a}${c}${b}` },
    })),
);

const badAmount: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(0),
  fc.integer({ min: -1_000_000_000, max: -1 }),
  fc.double({ min: 0.001, max: 1_000_000, noNaN: true }).filter((x) => !Number.isInteger(x)),
  fc.integer({ min: MAX_AMOUNT + 1, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom('NaN', 'Infinity', '1000', '', '-1', '1e3'),
  fc.constantFrom(null, true, false, [1000], { value: 1000 }),
);

const wrongTypeForString: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.constant({ nested: 'object' }),
);

const wrongTypeForArray: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.string(),
  fc.constant({ 0: { sellerId: 's', productId: 'p', amount: 1 } }),
);

/** A key the schemas do not know: a typo, or a prototype-polluting name. */
const extraKey = (known: readonly string[]) =>
  fc
    .oneof(
      fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,15}$/).filter((k) => !known.includes(k)),
      fc.constantFrom('__proto__', 'constructor', 'status', 'orderId', 'isAdmin'),
    )
    .filter((k) => !known.includes(k));

const notAnObject: fc.Arbitrary<string> = fc
  .oneof(fc.constant(null), fc.integer(), fc.string(), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }))
  .map((v) => JSON.stringify(v));

/** Bodies that are not JSON at all, or JSON the parser turns into something absurd. */
const malformedJson = (valid: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.integer({ min: 0, max: valid.length - 1 }).map((n) => valid.slice(0, n)),
    fc.constantFrom(
      '',
      '{',
      '}',
      "{'single':'quotes'}",
      '{"a":1,}',
      '{"amount":01}',
      'undefined',
      'NaN',
      '[1,2',
      'true false',
      '\u0000',
      '{"amount":1e400}',
      '{"orderId":"x" "amount":1}',
    ),
    fc.string({ maxLength: 40 }).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    }),
  );

const oversized = (base: Json, field: string): fc.Arbitrary<string> =>
  fc.integer({ min: MAX_BODY_BYTES + 1, max: 3 * MAX_BODY_BYTES }).map((size) => {
    const body = JSON.stringify({ ...base, [field]: '' });
    return JSON.stringify({ ...base, [field]: 'x'.repeat(Math.max(0, size - body.length)) });
  });

function withField(base: Json, key: string, value: unknown): Json {
  return Object.fromEntries([...Object.entries(base).filter(([k]) => k !== key), [key, value]]);
}

function without(base: Json, key: string): Json {
  return Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));
}

const body = (defect: string, json: Json | string) => ({
  defect,
  body: typeof json === 'string' ? json : JSON.stringify(json),
});

// --- POST /checkouts

const CHECKOUT_FIELDS = ['buyerId', 'orderName', 'currency', 'items'] as const;
const ITEM_FIELDS = ['sellerId', 'productId', 'amount'] as const;
const validCheckout = checkoutBody() as unknown as Json;
const validItem = { sellerId: 'seller-a', productId: 'book-1', amount: 7_000 };

const badCheckoutBody: fc.Arbitrary<{ defect: string; body: string }> = fc.oneof(
  malformedJson(JSON.stringify(validCheckout)).map((b) => body('malformed JSON', b)),
  notAnObject.map((b) => body('JSON that is not an object', b)),
  fc
    .tuple(fc.constantFrom('buyerId', 'orderName', 'currency'), wrongTypeForString)
    .map(([f, v]) => body(`wrong type: ${f}`, withField(validCheckout, f, v))),
  wrongTypeForArray.map((v) => body('wrong type: items', withField(validCheckout, 'items', v))),
  fc
    .tuple(fc.constantFrom('sellerId', 'productId'), wrongTypeForString)
    .map(([f, v]) =>
      body(`wrong type: items[].${f}`, withField(validCheckout, 'items', [withField(validItem, f, v)])),
    ),
  badAmount.map((a) =>
    body('bad item amount', withField(validCheckout, 'items', [withField(validItem, 'amount', a)])),
  ),
  fc.integer({ min: 2, max: 5 }).map((n) =>
    body(
      'items total over MAX_AMOUNT',
      withField(
        validCheckout,
        'items',
        Array.from({ length: n }, (_, i) => ({ ...validItem, productId: `p-${i}`, amount: MAX_AMOUNT })),
      ),
    ),
  ),
  fc
    .oneof(
      fc.constantFrom('USD', 'krw', 'EUR', 'JPY', '', ' KRW', 'KRW ', 'XXX', 'KRWW', '410'),
      fc.stringMatching(/^[A-Z]{3}$/).filter((c) => c !== 'KRW'),
    )
    .map((c) => body('unknown currency', withField(validCheckout, 'currency', c))),
  fc.constantFrom(...CHECKOUT_FIELDS).map((f) => body(`missing ${f}`, without(validCheckout, f))),
  fc
    .constantFrom(...ITEM_FIELDS)
    .map((f) => body(`missing items[].${f}`, withField(validCheckout, 'items', [without(validItem, f)]))),
  fc
    .tuple(extraKey(CHECKOUT_FIELDS), fc.jsonValue({ maxDepth: 1 }))
    .map(([k, v]) => body('unknown field', withField(validCheckout, k, v))),
  fc
    .tuple(extraKey(ITEM_FIELDS), fc.jsonValue({ maxDepth: 1 }))
    .map(([k, v]) =>
      body('unknown item field', withField(validCheckout, 'items', [withField(validItem, k, v)])),
    ),
  fc.constant(body('no items', withField(validCheckout, 'items', []))),
  fc.integer({ min: 101, max: 130 }).map((n) =>
    body(
      'too many items',
      withField(
        validCheckout,
        'items',
        Array.from({ length: n }, () => validItem),
      ),
    ),
  ),
  fc
    .oneof(fc.constantFrom('', '   ', '\t\n'), fc.stringMatching(/^[a-z]{101,140}$/))
    .map((n) => body('bad orderName', withField(validCheckout, 'orderName', n))),
  fc
    .oneof(fc.constantFrom('', 'has space', 'slash/id', 'é'), fc.stringMatching(/^[a-z]{65,80}$/))
    .map((id) => body('bad buyerId', withField(validCheckout, 'buyerId', id))),
  oversized(validCheckout, 'orderName').map((b) => body('oversized body', b)),
);

const badCheckout: fc.Arbitrary<BadRequest> = fc.oneof(
  // A bad key, whatever the body (a valid one included).
  fc
    .tuple(badKey, fc.oneof(fc.constant(body('valid body', validCheckout)), badCheckoutBody))
    .map(([key, b]) => ({
      route: 'checkout' as const,
      defect: `${key.defect}; ${b.defect}`,
      path: '/checkouts',
      headers: key.headers,
      body: b.body,
    })),
  // A good key with a bad body.
  fc.tuple(validKey, badCheckoutBody).map(([key, b]) => ({
    route: 'checkout' as const,
    defect: b.defect,
    path: '/checkouts',
    headers: { 'Idempotency-Key': key },
    body: b.body,
  })),
);

// --- POST /payments/confirm (the orderId is the key)

const CONFIRM_FIELDS = ['paymentKey', 'orderId', 'amount'] as const;

const badConfirm = (orderIds: readonly string[]): fc.Arbitrary<BadRequest> => {
  const base = fc
    .constantFrom(...orderIds)
    .map((orderId): Json => ({ paymentKey: 'tsim_0123456789abcdef', orderId, amount: 10_000 }));
  const badBody: fc.Arbitrary<{ defect: string; body: string }> = fc.oneof(
    base.chain((b) => malformedJson(JSON.stringify(b))).map((b) => body('malformed JSON', b)),
    notAnObject.map((b) => body('JSON that is not an object', b)),
    fc
      .tuple(base, fc.constantFrom('paymentKey', 'orderId'), wrongTypeForString)
      .map(([b, f, v]) => body(`wrong type: ${f}`, withField(b, f, v))),
    fc.tuple(base, badAmount).map(([b, a]) => body('bad amount', withField(b, 'amount', a))),
    fc.tuple(base, fc.constantFrom(...CONFIRM_FIELDS)).map(([b, f]) => body(`missing ${f}`, without(b, f))),
    fc
      .tuple(base, extraKey(CONFIRM_FIELDS), fc.jsonValue({ maxDepth: 1 }))
      .map(([b, k, v]) => body('unknown field', withField(b, k, v))),
    fc
      .tuple(
        base,
        fc.oneof(
          fc.stringMatching(/^[A-Za-z0-9_-]{1,5}$/),
          fc.stringMatching(/^[A-Za-z0-9_-]{65,80}$/),
          fc.constantFrom('', 'ord with space', 'ord.with.dots', 'ord/slash', '../../etc'),
        ),
      )
      .map(([b, id]) => body('malformed orderId', withField(b, 'orderId', id))),
    fc
      .tuple(base, fc.oneof(fc.constant(''), fc.stringMatching(/^[a-z]{201,240}$/)))
      .map(([b, k]) => body('bad paymentKey', withField(b, 'paymentKey', k))),
    base.chain((b) => oversized(b, 'paymentKey')).map((b) => body('oversized body', b)),
  );
  return badBody.map((b) => ({
    route: 'confirm' as const,
    defect: b.defect,
    path: '/payments/confirm',
    headers: {},
    body: b.body,
  }));
};

// --- POST /payments/{orderId}/cancel

const CANCEL_FIELDS = ['cancelReason', 'cancelAmount'] as const;
const validCancel: Json = { cancelReason: 'buyer changed mind', cancelAmount: 1_000 };

const badCancelBody: fc.Arbitrary<{ defect: string; body: string }> = fc.oneof(
  malformedJson(JSON.stringify(validCancel)).map((b) => body('malformed JSON', b)),
  notAnObject.map((b) => body('JSON that is not an object', b)),
  wrongTypeForString.map((v) => body('wrong type: cancelReason', withField(validCancel, 'cancelReason', v))),
  fc
    .oneof(fc.constantFrom('', '   ', '\n'), fc.stringMatching(/^[a-z]{201,240}$/))
    .map((r) => body('bad cancelReason', withField(validCancel, 'cancelReason', r))),
  badAmount.map((a) => body('bad cancelAmount', withField(validCancel, 'cancelAmount', a))),
  fc.constant(body('missing cancelReason', without(validCancel, 'cancelReason'))),
  fc
    .tuple(extraKey(CANCEL_FIELDS), fc.jsonValue({ maxDepth: 1 }))
    .map(([k, v]) => body('unknown field', withField(validCancel, k, v))),
  oversized(validCancel, 'cancelReason').map((b) => body('oversized body', b)),
);

const badCancel = (orderIds: readonly string[]): fc.Arbitrary<BadRequest> => {
  const path = fc.constantFrom(...orderIds).map((id) => `/payments/${encodeURIComponent(id)}/cancel`);
  return fc.oneof(
    fc
      .tuple(path, badKey, fc.oneof(fc.constant(body('valid body', validCancel)), badCancelBody))
      .map(([p, key, b]) => ({
        route: 'cancel' as const,
        defect: `${key.defect}; ${b.defect}`,
        path: p,
        headers: key.headers,
        body: b.body,
      })),
    fc.tuple(path, validKey, badCancelBody).map(([p, key, b]) => ({
      route: 'cancel' as const,
      defect: b.defect,
      path: p,
      headers: { 'Idempotency-Key': key },
      body: b.body,
    })),
  );
};

// ---------------------------------------------------------------------------------------------

function send(request: BadRequest): Promise<HttpAnswer> {
  return api('POST', request.path, { rawBody: request.body, headers: request.headers });
}

function problemViolations(request: BadRequest, answer: HttpAnswer): string[] {
  const problems: string[] = [];
  if (answer.status < 400 || answer.status > 499) problems.push(`status ${answer.status}`);
  if (!/^application\/problem\+json/.test(answer.headers.get('content-type') ?? '')) {
    problems.push(`content-type ${answer.headers.get('content-type')}`);
  }
  const json = answer.json as Record<string, unknown> | undefined;
  for (const field of ['type', 'title', 'code', 'detail']) {
    if (typeof json?.[field] !== 'string') problems.push(`${field} missing`);
  }
  if (json?.status !== answer.status) problems.push(`body status ${String(json?.status)}`);
  return problems.length
    ? [
        `${request.route} ${request.path} (${request.defect}): ${problems.join(', ')} — ${answer.text.slice(0, 200)}`,
      ]
    : [];
}

beforeAll(() => {
  dynamo = new DynamoDBClient({
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(() => dynamo?.destroy());

describe('bad requests', () => {
  it('answer 4xx problem+json and leave every table unchanged (fast-check, > 500 requests)', async () => {
    // A real NOT_STARTED order, so cancels and confirms also aim at something that exists.
    const { orderId } = await createOrder();
    const orderIds = [orderId, 'ord_does_not_exist_0000'];
    const badRequest = fc.oneof(badCheckout, badConfirm(orderIds), badCancel(orderIds));

    const before = await settledSnapshot();
    let sent = 0;
    const tally = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(badRequest, { minLength: BATCH, maxLength: BATCH }), async (requests) => {
        const answers = await Promise.all(requests.map(send));
        sent += requests.length;
        const violations = requests.flatMap((request, i) => {
          const answer = answers[i] as HttpAnswer;
          const label = `${request.route} ${answer.status} ${(answer.json as { code?: string } | undefined)?.code}`;
          tally.set(label, (tally.get(label) ?? 0) + 1);
          return problemViolations(request, answer);
        });
        expect(violations).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    const after = await settledSnapshot();

    console.log(
      [
        `bad requests sent: ${sent}`,
        ...[...tally.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `  ${k}: ${n}`),
        `tables before: ${JSON.stringify(summaryOf(before))}`,
        `tables after:  ${JSON.stringify(summaryOf(after))}`,
      ].join('\n'),
    );
    expect(sent).toBeGreaterThanOrEqual(500);
    expect(differences(before, after)).toEqual({
      payments: { added: [], removed: [], changed: [] },
      idempotency: { added: [], removed: [], changed: [] },
    });
    expect(summaryOf(after)).toEqual(summaryOf(before));
  }, 120_000);

  it('a checkout whose items total exceeds MAX_AMOUNT is refused without remembering the key', async () => {
    const key = newKey('too-much');
    const tooMuch = checkoutBody({
      items: [
        { sellerId: 'seller-a', productId: 'p-1', amount: MAX_AMOUNT },
        { sellerId: 'seller-b', productId: 'p-2', amount: MAX_AMOUNT },
      ],
    });
    const before = await settledSnapshot();
    const refused = await postCheckout(key, tooMuch);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const tableChanges = differences(before, await settledSnapshot());
    // The client fixes the body and retries with the same key: that must now work.
    const fixed = await postCheckout(key);
    expect({ tableChanges, fixedRetry: `${fixed.status} ${fixed.json?.code ?? ''}`.trim() }).toEqual({
      tableChanges: {
        payments: { added: [], removed: [], changed: [] },
        idempotency: { added: [], removed: [], changed: [] },
      },
      fixedRetry: '201',
    });
  });
});

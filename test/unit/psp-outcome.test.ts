import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  classifyPspReply,
  classifyPspStatus,
  type PspOperation,
  type PspReply,
  TOSS_ANSWERS,
} from '../../lambdas/domain/psp-outcome';

const error = (httpStatus: number, code: string | undefined): PspReply => ({
  kind: 'error',
  httpStatus,
  code,
});

/**
 * Written independently of the table: the only answers that may end a payment (or a refund) as
 * declined. A row classified `declined` that is not here, or one here that is not `declined`, fails.
 */
const DOCUMENTED_DECLINES: Readonly<Record<'confirm' | 'cancel', readonly string[]>> = {
  confirm: [
    'EXCEED_MAX_CARD_INSTALLMENT_PLAN',
    'NOT_ALLOWED_POINT_USE',
    'INVALID_REJECT_CARD',
    'BELOW_MINIMUM_AMOUNT',
    'INVALID_CARD_EXPIRATION',
    'INVALID_STOPPED_CARD',
    'EXCEED_MAX_DAILY_PAYMENT_COUNT',
    'NOT_SUPPORTED_INSTALLMENT_PLAN_CARD_OR_MERCHANT',
    'INVALID_CARD_INSTALLMENT_PLAN',
    'NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN',
    'EXCEED_MAX_PAYMENT_AMOUNT',
    'INVALID_AUTHORIZE_AUTH',
    'INVALID_CARD_LOST_OR_STOLEN',
    'RESTRICTED_TRANSFER_ACCOUNT',
    'INVALID_CARD_NUMBER',
    'EXCEED_MAX_ONE_DAY_WITHDRAW_AMOUNT',
    'EXCEED_MAX_ONE_TIME_WITHDRAW_AMOUNT',
    'EXCEED_MAX_AMOUNT',
    'INVALID_ACCOUNT_INFO_RE_REGISTER',
    'NOT_AVAILABLE_PAYMENT',
    'EXCEED_MAX_MONTHLY_PAYMENT_AMOUNT',
    'REJECT_ACCOUNT_PAYMENT',
    'REJECT_CARD_PAYMENT',
    'REJECT_CARD_COMPANY',
    'REJECT_TOSSPAY_INVALID_ACCOUNT',
    'EXCEED_MAX_AUTH_COUNT',
    'EXCEED_MAX_ONE_DAY_AMOUNT',
    'NOT_AVAILABLE_BANK',
    'INVALID_PASSWORD',
    'FDS_ERROR',
  ],
  cancel: [
    'INVALID_REFUND_ACCOUNT_INFO',
    'EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT',
    'INVALID_REFUND_ACCOUNT_NUMBER',
    'INVALID_BANK',
    'REFUND_REJECTED',
    'FORBIDDEN_BANK_REFUND_REQUEST',
    'EXCEED_MAX_REFUND_DUE',
    'NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT',
    'NOT_ALLOWED_PARTIAL_REFUND',
    'NOT_AVAILABLE_BANK',
    'NOT_CANCELABLE_PAYMENT_FOR_DORMANT_USER',
  ],
};

const OPERATIONS: readonly PspOperation[] = ['confirm', 'cancel', 'lookup'];

describe('the table of documented Toss answers', () => {
  it.each(TOSS_ANSWERS.map((a) => [a.operation, a.httpStatus, a.code, a.outcome, a]))(
    '%s %d %s → %s',
    (_operation, _status, _code, _outcome, answer) => {
      const operations = answer.operation === 'any' ? OPERATIONS : [answer.operation];
      for (const operation of operations) {
        const specific = TOSS_ANSWERS.find((a) => a.operation === operation && a.code === answer.code);
        const expected = (specific ?? answer).outcome;
        expect(classifyPspReply(operation, error(answer.httpStatus, answer.code))).toBe(expected);
      }
    },
  );

  it.each(['confirm', 'cancel'] as const)('declines a %s only on a documented decline code', (operation) => {
    const declined = TOSS_ANSWERS.filter((a) => a.operation === operation && a.outcome === 'declined');
    expect(declined.map((a) => a.code).sort()).toEqual([...DOCUMENTED_DECLINES[operation]].sort());
  });

  it('is the table docs/ARCHITECTURE.md shows, row for row', () => {
    const doc = readFileSync(join(__dirname, '../../docs/ARCHITECTURE.md'), 'utf8');
    const rows = doc.split('\n').filter((line) => /^\| `[A-Z_]+` \| \d{3} \|/.test(line));
    expect(rows).toHaveLength(TOSS_ANSWERS.length);
    for (const a of TOSS_ANSWERS) {
      expect(rows).toContainEqual(
        expect.stringContaining(`| \`${a.code}\` | ${a.httpStatus} | ${a.operation} | \`${a.outcome}\` |`),
      );
    }
  });

  it('names each code once per operation, with its source', () => {
    const keys = TOSS_ANSWERS.map((a) => `${a.operation} ${a.code}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const answer of TOSS_ANSWERS) expect(answer.source).toMatch(/^(reference|guides)\//);
  });
});

describe('classifyPspReply beyond the table', () => {
  it.each<[string, PspOperation, PspReply, string]>([
    ['a 2xx', 'confirm', { kind: 'success' }, 'approved'],
    ['a network error or timeout', 'confirm', { kind: 'networkError' }, 'retryable'],
    ['ALREADY_PROCESSED_PAYMENT', 'confirm', error(400, 'ALREADY_PROCESSED_PAYMENT'), 'conflict'],
    ['DUPLICATED_ORDER_ID', 'confirm', error(400, 'DUPLICATED_ORDER_ID'), 'conflict'],
    [
      'FORBIDDEN_CONSECUTIVE_REQUEST on confirm',
      'confirm',
      error(403, 'FORBIDDEN_CONSECUTIVE_REQUEST'),
      'retryable',
    ],
    ['an unknown 4xx code on confirm', 'confirm', error(400, 'SOMETHING_NEW'), 'lookUp'],
    ['an unknown 403 code on confirm', 'confirm', error(403, 'SOMETHING_NEW'), 'lookUp'],
    ['NOT_FOUND (404) on confirm', 'confirm', error(404, 'NOT_FOUND'), 'lookUp'],
    ['an unknown code on cancel', 'cancel', error(400, 'SOMETHING_NEW'), 'lookUp'],
    ['NOT_FOUND_PAYMENT_SESSION on cancel', 'cancel', error(404, 'NOT_FOUND_PAYMENT_SESSION'), 'lookUp'],
    ['an HTML 403 from a proxy on confirm', 'confirm', error(403, undefined), 'lookUp'],
    ['an HTML 404 from a proxy on cancel', 'cancel', error(404, undefined), 'lookUp'],
    ['an HTML 404 from a proxy on lookup', 'lookup', error(404, undefined), 'lookUp'],
    ['an HTML 502 from a proxy', 'confirm', error(502, undefined), 'retryable'],
    ['a 429 without a body', 'confirm', error(429, undefined), 'retryable'],
    ['an unknown 401 code', 'cancel', error(401, 'SOMETHING_NEW'), 'unavailable'],
    ['an unknown 5xx code', 'confirm', error(503, 'SOMETHING_NEW'), 'retryable'],
    [
      'FAILED_*_INTERNAL_SYSTEM_PROCESSING with a 4xx',
      'confirm',
      error(400, 'FAILED_CARD_INTERNAL_SYSTEM_PROCESSING'),
      'retryable',
    ],
    ['NOT_FOUND_PAYMENT on confirm', 'confirm', error(404, 'NOT_FOUND_PAYMENT'), 'lookUp'],
    ['NOT_FOUND_PAYMENT on lookup', 'lookup', error(404, 'NOT_FOUND_PAYMENT'), 'notFound'],
  ])('%s → %s', (_, operation, reply, expected) => {
    expect(classifyPspReply(operation, reply)).toBe(expected);
  });

  it('does not match look-alikes of the internal-failure pattern', () => {
    expect(classifyPspReply('confirm', error(400, 'FAILED_INTERNAL_SYSTEM_PROCESSING_X'))).toBe('lookUp');
    expect(classifyPspReply('confirm', error(400, 'NOT_FAILED_INTERNAL_SYSTEM_PROCESSING'))).toBe('lookUp');
  });

  it('never declines an answer that is not in the table', () => {
    for (const operation of OPERATIONS) {
      for (const status of [400, 402, 403, 404, 409, 410, 422]) {
        expect(classifyPspReply(operation, error(status, 'NOT_A_TOSS_CODE'))).not.toBe('declined');
        expect(classifyPspReply(operation, error(status, undefined))).not.toBe('declined');
      }
    }
  });
});

describe('classifyPspStatus', () => {
  it.each<[string | undefined, string]>([
    ['DONE', 'approved'],
    ['IN_PROGRESS', 'inProgress'],
    ['READY', 'inProgress'],
    ['WAITING_FOR_DEPOSIT', 'inProgress'],
    ['ABORTED', 'failed'],
    ['EXPIRED', 'failed'],
    [undefined, 'failed'],
    ['CANCELED', 'canceled'],
    ['PARTIAL_CANCELED', 'canceled'],
    ['SOMETHING_NEW', 'unrecognized'],
    ['constructor', 'unrecognized'],
  ])('%s → %s', (status, expected) => {
    expect(classifyPspStatus(status)).toBe(expected);
  });
});

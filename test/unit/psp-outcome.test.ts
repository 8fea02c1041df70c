import { classifyPspReply, classifyPspStatus, type PspReply } from '../../lambdas/domain/psp-outcome';

const error = (httpStatus: number, code: string): PspReply => ({ kind: 'error', httpStatus, code });

describe('classifyPspReply', () => {
  it.each<[string, PspReply, string]>([
    ['a 2xx', { kind: 'success' }, 'approved'],
    ['REJECT_CARD_PAYMENT', error(403, 'REJECT_CARD_PAYMENT'), 'declined'],
    ['INVALID_CARD_NUMBER', error(400, 'INVALID_CARD_NUMBER'), 'declined'],
    ['EXCEED_MAX_DAILY_PAYMENT_COUNT', error(400, 'EXCEED_MAX_DAILY_PAYMENT_COUNT'), 'declined'],
    ['NOT_FOUND_PAYMENT_SESSION', error(404, 'NOT_FOUND_PAYMENT_SESSION'), 'sessionNotFound'],
    ['UNAUTHORIZED_KEY', error(401, 'UNAUTHORIZED_KEY'), 'unavailable'],
    ['INVALID_API_KEY', error(400, 'INVALID_API_KEY'), 'unavailable'],
    ['REJECT_CARD_PAYMENT (a 403 decline)', error(403, 'REJECT_CARD_PAYMENT'), 'declined'],
    ['an unlisted 4xx code', error(400, 'SOMETHING_NEW'), 'declined'],
    ['PROVIDER_ERROR (a 400)', error(400, 'PROVIDER_ERROR'), 'retryable'],
    ['CARD_PROCESSING_ERROR (a 400)', error(400, 'CARD_PROCESSING_ERROR'), 'retryable'],
    ['FAILED_INTERNAL_SYSTEM_PROCESSING', error(500, 'FAILED_INTERNAL_SYSTEM_PROCESSING'), 'retryable'],
    [
      'FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING',
      error(500, 'FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING'),
      'retryable',
    ],
    [
      'FAILED_*_INTERNAL_SYSTEM_PROCESSING with a 4xx',
      error(400, 'FAILED_CARD_INTERNAL_SYSTEM_PROCESSING'),
      'retryable',
    ],
    ['IDEMPOTENT_REQUEST_PROCESSING', error(409, 'IDEMPOTENT_REQUEST_PROCESSING'), 'retryable'],
    ['any 5xx', error(502, 'HTTP_502'), 'retryable'],
    ['a 429', error(429, 'TOO_MANY_REQUESTS'), 'retryable'],
    ['an unexpected 3xx', error(302, 'HTTP_302'), 'retryable'],
    ['a network error or timeout', { kind: 'networkError' }, 'retryable'],
    ['ALREADY_PROCESSED_PAYMENT', error(400, 'ALREADY_PROCESSED_PAYMENT'), 'alreadyProcessed'],
  ])('%s → %s', (_, reply, expected) => {
    expect(classifyPspReply(reply)).toBe(expected);
  });

  it('does not match look-alikes of the internal-failure pattern', () => {
    expect(classifyPspReply(error(400, 'FAILED_INTERNAL_SYSTEM_PROCESSING_X'))).toBe('declined');
    expect(classifyPspReply(error(400, 'NOT_FAILED_INTERNAL_SYSTEM_PROCESSING'))).toBe('declined');
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

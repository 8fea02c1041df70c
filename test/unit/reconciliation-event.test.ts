/**
 * The reconciliation function's event as Powertools' parser sees it (the middleware runs this parse
 * before the handler): a date to reconcile, or EventBridge's scheduled event whose `time` decides the day.
 */
import { ParseError, parse } from '@aws-lambda-powertools/parser';
import { reconciliationEventSchema } from '../../lambdas/shared/schemas';

const scheduledEvent = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-12-01T15:30:00Z',
  region: 'ap-northeast-2',
  resources: ['arn:aws:events:ap-northeast-2:123456789012:rule/nightly-reconciliation'],
  detail: {},
};

describe('reconciliation event', () => {
  it('keeps the scheduled time of an EventBridge event', () => {
    expect(parse(scheduledEvent, undefined, reconciliationEventSchema)).toMatchObject({
      time: '2026-12-01T15:30:00Z',
    });
  });

  it('takes an operator’s date, and an empty event (catch up from now)', () => {
    expect(parse({ date: '2026-11-30' }, undefined, reconciliationEventSchema)).toEqual({
      date: '2026-11-30',
    });
    expect(parse({}, undefined, reconciliationEventSchema)).toEqual({});
  });

  it.each([
    [{ date: '2026-13-01' }],
    [{ date: '2026-02-30' }],
    [{ date: '30/11/2026' }],
    [{ time: 'yesterday' }],
    [null],
    ['2026-11-30'],
  ])('refuses %p before the handler runs', (event) => {
    expect(() => parse(event, undefined, reconciliationEventSchema)).toThrow(ParseError);
  });
});

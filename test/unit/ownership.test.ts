import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mayAct } from '../../lambdas/domain/ownership';
import { operatorPrincipals, signedCaller } from '../../lambdas/shared/caller';

const SHOP = 'arn:aws:sts::123456789012:assumed-role/shop-a';
const OTHER = 'arn:aws:sts::123456789012:assumed-role/shop-b';

describe('owners of orders', () => {
  it('the owner may read, confirm and cancel; another shop nothing', () => {
    for (const action of ['read', 'confirm', 'cancel'] as const) {
      expect(mayAct({ owner: SHOP }, { principal: SHOP, operator: false }, action)).toBe(true);
      expect(mayAct({ owner: SHOP }, { principal: OTHER, operator: false }, action)).toBe(false);
    }
  });

  it('an operator may read and cancel any order, confirm only its own', () => {
    const operator = { principal: OTHER, operator: true };
    expect(mayAct({ owner: SHOP }, operator, 'read')).toBe(true);
    expect(mayAct({ owner: SHOP }, operator, 'cancel')).toBe(true);
    expect(mayAct({ owner: SHOP }, operator, 'confirm')).toBe(false);
    expect(mayAct({ owner: OTHER }, operator, 'confirm')).toBe(true);
  });

  it('an order without an owner (from before owners) is the operators’ alone', () => {
    expect(mayAct({}, { principal: SHOP, operator: false }, 'read')).toBe(false);
    expect(mayAct({}, { principal: SHOP, operator: true }, 'read')).toBe(true);
  });
});

describe('operator principals', () => {
  it('are configured role or user ARNs, a role known by its assumed-role principal', () => {
    expect([
      ...operatorPrincipals(
        ' arn:aws:iam::123456789012:role/ops/payments-ops ,arn:aws:iam::123456789012:user/alice,,',
      ),
    ]).toEqual([
      'arn:aws:sts::123456789012:assumed-role/payments-ops',
      'arn:aws:iam::123456789012:user/alice',
    ]);
    expect(operatorPrincipals(undefined).size).toBe(0);
  });

  it('mark a caller signed by an assumed operator role, whatever its session', () => {
    const previous = process.env.OPERATOR_PRINCIPALS;
    process.env.OPERATOR_PRINCIPALS = 'arn:aws:iam::123456789012:role/payments-ops';
    try {
      const event = (userArn: string) =>
        ({ requestContext: { identity: { userArn } } }) as unknown as APIGatewayProxyEvent;
      expect(signedCaller(event('arn:aws:sts::123456789012:assumed-role/payments-ops/alice'))).toEqual({
        ok: true,
        value: { principal: 'arn:aws:sts::123456789012:assumed-role/payments-ops', operator: true },
      });
      expect(signedCaller(event(`${SHOP}/session-1`))).toEqual({
        ok: true,
        value: { principal: SHOP, operator: false },
      });
    } finally {
      if (previous === undefined) delete process.env.OPERATOR_PRINCIPALS;
      else process.env.OPERATOR_PRINCIPALS = previous;
    }
  });
});

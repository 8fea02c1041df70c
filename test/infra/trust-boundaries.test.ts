import { PROFILE_NAMES } from '../../lib/deploy-profile';
import { entries, type HttpTrigger, topology } from '../../lib/topology';
import { type SynthesizedPaymentsApp, synthPaymentsApp } from './synth-payments-app';

interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

const routes: HttpTrigger[] = entries(topology.functions).flatMap(([, spec]) =>
  spec.triggers.filter((trigger): trigger is HttpTrigger => trigger.kind === 'http'),
);
const routeName = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

/** `METHOD /path/{param}` of every API Gateway method, with its authorization type. */
function methodsOf(template: { Resources: Record<string, CfnResource> }): Map<string, string> {
  const resources = template.Resources;
  const pathOf = (ref: unknown): string => {
    const logicalId = (ref as { Ref?: string }).Ref;
    const resource = logicalId ? resources[logicalId] : undefined;
    if (resource?.Type !== 'AWS::ApiGateway::Resource') return '';
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
  };
  const methods = new Map<string, string>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::ApiGateway::Method') continue;
    const { HttpMethod, ResourceId, AuthorizationType } = resource.Properties;
    methods.set(`${HttpMethod} ${pathOf(ResourceId) || '/'}`, String(AuthorizationType));
  }
  return methods;
}

/** `METHOD /path/*` of each `execute-api:Invoke` resource of the managed policy with logical id prefix `prefix`. */
function invokableBy(template: { Resources: Record<string, CfnResource> }, prefix: string): string[] {
  const [policy, ...others] = Object.entries(template.Resources).filter(
    ([logicalId, resource]) => resource.Type === 'AWS::IAM::ManagedPolicy' && logicalId.startsWith(prefix),
  );
  expect(others).toEqual([]);
  const statements = (
    (policy?.[1].Properties.PolicyDocument ?? { Statement: [] }) as {
      Statement: { Action: string; Resource: unknown }[];
    }
  ).Statement;
  expect(statements.map((statement) => statement.Action)).toEqual(['execute-api:Invoke']);
  const resources = statements.flatMap(
    (statement) => statement.Resource as { 'Fn::Join': [string, unknown[]] }[],
  );
  return resources.map((resource) => {
    const parts = resource['Fn::Join'][1];
    const suffix = String(parts[parts.length - 1]);
    const [, method = '', ...path] = suffix.split('/');
    return `${method} /${path.join('/')}`;
  });
}

const asInvokeArnPath = (route: HttpTrigger) => routeName(route).replace(/\{[^}]+\}/g, '*');

describe.each(PROFILE_NAMES)('trust boundaries in the stateless stack (profile %s)', (profile) => {
  let synth: SynthesizedPaymentsApp;
  let template: { Resources: Record<string, CfnResource>; Outputs: Record<string, unknown> };
  beforeAll(() => {
    synth = synthPaymentsApp(topology, { profile });
    template = synth.statelessTemplate.toJSON() as typeof template;
  });

  test('every route is a method: AWS_IAM unless its caller kind is public, and only /health and the webhook are public', () => {
    const methods = methodsOf(template);
    expect(Object.fromEntries(methods)).toEqual(
      Object.fromEntries(
        routes.map((route) => [routeName(route), route.caller === 'public' ? 'NONE' : 'AWS_IAM']),
      ),
    );
    const open = [...methods].filter(([, type]) => type === 'NONE').map(([name]) => name);
    expect(open.filter((name) => !['GET /health', 'POST /webhooks/toss'].includes(name))).toEqual([]);
  });

  test('the shop policy invokes exactly the shop routes; the operator policy every signed route', () => {
    const shop = routes.filter((route) => route.caller === 'shop').map(asInvokeArnPath);
    const signed = routes.filter((route) => route.caller !== 'public').map(asInvokeArnPath);
    expect(invokableBy(template, 'ApiShopInvokePolicy').sort()).toEqual(shop.sort());
    expect(invokableBy(template, 'ApiOperatorInvokePolicy').sort()).toEqual(signed.sort());
    expect(shop).not.toContain('GET /ledger/trial-balance');
    expect(Object.keys(template.Outputs)).toEqual(
      expect.arrayContaining(['ShopInvokePolicyArn', 'OperatorInvokePolicyArn']),
    );
  });

  test.each([
    ['MISSING_AUTHENTICATION_TOKEN', '403', 'AUTHENTICATION_REQUIRED'],
    ['INVALID_SIGNATURE', '403', 'INVALID_SIGNATURE'],
    ['EXPIRED_TOKEN', '403', 'INVALID_SIGNATURE'],
    ['ACCESS_DENIED', '403', 'ACCESS_DENIED'],
    ['THROTTLED', '429', 'THROTTLED'],
    ['REQUEST_TOO_LARGE', '413', 'REQUEST_TOO_LARGE'],
    ['WAF_FILTERED', '403', 'ACCESS_DENIED'],
  ])('API Gateway refusal %s answers %s problem+json %s', (responseType, statusCode, code) => {
    synth.statelessTemplate.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: responseType,
      StatusCode: statusCode,
      ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/problem+json'" },
    });
    const [response] = Object.values(template.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::ApiGateway::GatewayResponse' &&
        resource.Properties.ResponseType === responseType,
    );
    const body = JSON.parse(
      (response?.Properties.ResponseTemplates as Record<string, string> | undefined)?.['application/json'] ??
        '',
    );
    expect(body).toEqual({
      type: expect.any(String),
      title: expect.any(String),
      status: Number(statusCode),
      code,
      detail: expect.any(String),
      instance: '$context.requestId',
    });
  });
});

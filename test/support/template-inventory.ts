import { type Inventory, sortedInventory } from '../../lib/inventory';
import { TOPOLOGY_TAG } from '../../lib/topology';

/**
 * Reads back, from synthesized CloudFormation templates (all stacks of the app), what the cloud
 * runtime provisions, in topology names. Resources are named by their `payments:topology` tag;
 * references are followed through Ref, Fn::GetAtt, Fn::Join and cross-stack Fn::ImportValue.
 */
export function templateInventory(templates: object[]): Inventory {
  const app = new TemplateSet(templates as CfnTemplate[]);
  const tables: string[] = [];
  const queues: string[] = [];
  const buckets: string[] = [];
  const functions: string[] = [];
  const triggers: string[] = [];

  for (const resource of app.resources()) {
    const name = topologyName(resource);
    const props = resource.properties;
    switch (resource.type) {
      case 'AWS::DynamoDB::Table':
        if (name) tables.push(name);
        break;
      case 'AWS::SQS::Queue':
        if (name) queues.push(name);
        break;
      case 'AWS::S3::Bucket':
        if (name) buckets.push(name);
        break;
      case 'AWS::Lambda::Function':
        if (name) functions.push(name);
        break;
      case 'AWS::ApiGateway::Method': {
        const fn = app.functionName(resource, (props.Integration as CfnObject | undefined)?.Uri);
        if (fn)
          triggers.push(`http ${props.HttpMethod} ${app.resourcePath(resource, props.ResourceId)} -> ${fn}`);
        break;
      }
      case 'AWS::Lambda::EventSourceMapping': {
        const fn = app.functionName(resource, props.FunctionName);
        if (fn) triggers.push(`${app.eventSource(resource, props.EventSourceArn)} -> ${fn}`);
        break;
      }
      case 'AWS::Events::Rule':
        for (const target of (props.Targets as CfnObject[] | undefined) ?? []) {
          const fn = app.functionName(resource, target.Arn);
          if (fn) triggers.push(`schedule ${props.ScheduleExpression} -> ${fn}`);
        }
        break;
      case 'AWS::Scheduler::Schedule': {
        const fn = app.functionName(resource, (props.Target as CfnObject | undefined)?.Arn);
        if (fn) triggers.push(`schedule ${props.ScheduleExpression} -> ${fn}`);
        break;
      }
    }
  }
  return sortedInventory({ tables, queues, buckets, functions, triggers });
}

type CfnObject = Record<string, unknown>;

interface CfnTemplate {
  readonly Resources?: Record<string, { Type: string; Properties?: CfnObject }>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name?: unknown } }>;
}

interface Resource {
  readonly template: CfnTemplate;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: CfnObject;
}

function topologyName(resource: Resource): string | undefined {
  const tags = (resource.properties.Tags as { Key: string; Value: unknown }[] | undefined) ?? [];
  const value = tags.find((tag) => tag.Key === TOPOLOGY_TAG)?.Value;
  return typeof value === 'string' ? value : undefined;
}

class TemplateSet {
  private readonly exports = new Map<string, { template: CfnTemplate; value: unknown }>();

  constructor(private readonly templates: readonly CfnTemplate[]) {
    for (const template of templates) {
      for (const output of Object.values(template.Outputs ?? {})) {
        const name = output.Export?.Name;
        if (typeof name === 'string') this.exports.set(name, { template, value: output.Value });
      }
    }
  }

  *resources(): Generator<Resource> {
    for (const template of this.templates) {
      for (const [logicalId, { Type, Properties }] of Object.entries(template.Resources ?? {})) {
        yield { template, logicalId, type: Type, properties: Properties ?? {} };
      }
    }
  }

  /** Topology name of the function `value` points at; undefined for functions outside the topology. */
  functionName(from: Resource, value: unknown): string | undefined {
    const target = this.resolve(from.template, value);
    return target?.type === 'AWS::Lambda::Function' ? topologyName(target) : undefined;
  }

  /** `stream <table>` or `queue <queue>` for an event source mapping's EventSourceArn. */
  eventSource(from: Resource, value: unknown): string {
    const source = this.resolve(from.template, value);
    const name = source && topologyName(source);
    if (source?.type === 'AWS::DynamoDB::Table' && name) return `stream ${name}`;
    if (source?.type === 'AWS::SQS::Queue' && name) return `queue ${name}`;
    throw new Error(
      `${from.logicalId}: event source ${JSON.stringify(value)} is not a topology table or queue`,
    );
  }

  /** `/a/{b}` from an API Gateway resource id, walking PathPart/ParentId up to the API's root. */
  resourcePath(from: Resource, resourceId: unknown): string {
    const parts: string[] = [];
    let current = this.resolve(from.template, resourceId);
    while (current?.type === 'AWS::ApiGateway::Resource') {
      parts.unshift(String(current.properties.PathPart));
      current = this.resolve(current.template, current.properties.ParentId);
    }
    if (current?.type !== 'AWS::ApiGateway::RestApi') {
      throw new Error(
        `${from.logicalId}: resource ${JSON.stringify(resourceId)} does not lead to a RestApi root`,
      );
    }
    return `/${parts.join('/')}`;
  }

  /** The resource an intrinsic points at (Ref, GetAtt, a Join containing one, or a cross-stack import). */
  private resolve(template: CfnTemplate, value: unknown): Resource | undefined {
    if (typeof value !== 'object' || value === null) return undefined;
    const intrinsic = value as CfnObject;
    if (typeof intrinsic.Ref === 'string') return this.resource(template, intrinsic.Ref);
    const getAtt = intrinsic['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return this.resource(template, String(getAtt[0]));
    if (typeof getAtt === 'string') return this.resource(template, getAtt.split('.')[0] ?? '');
    const importName = intrinsic['Fn::ImportValue'];
    if (typeof importName === 'string') {
      const exported = this.exports.get(importName);
      return exported && this.resolve(exported.template, exported.value);
    }
    const join = intrinsic['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1])) {
      for (const part of join[1]) {
        const found = this.resolve(template, part);
        if (found) return found;
      }
    }
    return undefined;
  }

  private resource(template: CfnTemplate, logicalId: string): Resource | undefined {
    const resource = template.Resources?.[logicalId];
    return resource && { template, logicalId, type: resource.Type, properties: resource.Properties ?? {} };
  }
}

import { type CfnElement, type Stack, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { TOPOLOGY_TAG } from '../../lib/topology';

export type CfnProperties = Record<string, unknown>;

export interface TemplateResource {
  readonly Type: string;
  readonly Properties: CfnProperties;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** The single resource of `type` tagged with topology name `name`, with its logical id. */
export function topologyResource(
  template: Template,
  type: string,
  name: string,
): { logicalId: string; resource: TemplateResource } {
  const found = template.findResources(type, {
    Properties: { Tags: Match.arrayWith([{ Key: TOPOLOGY_TAG, Value: name }]) },
  });
  const entries = Object.entries(found);
  if (entries.length !== 1) throw new Error(`expected one ${type} tagged ${name}, found ${entries.length}`);
  const [logicalId, resource] = entries[0] as [string, TemplateResource];
  return { logicalId, resource };
}

/** Topology names of the stateful resources (tables, queues, DLQs) by logical id. */
export function topologyNamesByLogicalId(template: Template): Map<string, string> {
  const names = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(template.toJSON().Resources ?? {})) {
    const tags = ((resource as TemplateResource).Properties?.Tags ?? []) as { Key: string; Value: string }[];
    const name = tags.find((tag) => tag.Key === TOPOLOGY_TAG)?.Value;
    if (name) names.set(logicalId, name);
  }
  return names;
}

/** Statements of every IAM policy attached to the role of the topology function `name`. */
export function functionPolicyStatements(template: Template, name: string): PolicyStatement[] {
  const { resource } = topologyResource(template, 'AWS::Lambda::Function', name);
  const roleLogicalId = (resource.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleLogicalId }]) },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      ((policy as TemplateResource).Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement,
  );
}

export function actionsOf(statement: PolicyStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/**
 * Topology names of the stateful resources a statement grants on. Cross-stack references are exports
 * whose names embed the producer's logical id, so a textual match is exact enough.
 */
export function grantedTopologyNames(
  statement: PolicyStatement,
  statefulNames: Map<string, string>,
): string[] {
  const resource = JSON.stringify(statement.Resource);
  return [...statefulNames].filter(([logicalId]) => resource.includes(logicalId)).map(([, name]) => name);
}

export function logicalIdOf(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Every `Validations.acknowledge` in the tree, with the construct it was attached to. */
export function acknowledgments(root: IConstruct): { construct: IConstruct; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          construct,
          id,
          reason,
        })),
      ),
  );
}

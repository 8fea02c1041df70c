import { CfnResource, Stack, Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { STACK_TAG, TOPOLOGY_TAG } from '../topology';

/**
 * Tags the construct's own CloudFormation resource only, not taggable children such as event source
 * mappings, with its topology name and its stack's name (the operator CLI finds resources by both).
 */
export function tagWithTopologyName(construct: IConstruct, name: string): void {
  const resource = construct.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) throw new Error(`${construct.node.path} has no resource to tag`);
  const only = { includeResourceTypes: [resource.cfnResourceType] };
  Tags.of(construct).add(TOPOLOGY_TAG, name, only);
  Tags.of(construct).add(STACK_TAG, Stack.of(construct).stackName, only);
}

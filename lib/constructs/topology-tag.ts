import { CfnResource, Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { TOPOLOGY_TAG } from '../topology';

/** Tags the construct's own CloudFormation resource only, not taggable children such as event source mappings. */
export function tagWithTopologyName(construct: IConstruct, name: string): void {
  const resource = construct.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) throw new Error(`${construct.node.path} has no resource to tag`);
  Tags.of(construct).add(TOPOLOGY_TAG, name, { includeResourceTypes: [resource.cfnResourceType] });
}

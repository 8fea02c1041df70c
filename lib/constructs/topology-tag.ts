import { CfnResource, Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Tag that maps a synthesized resource back to its topology name (tables, queues, `<queue>-dlq`, functions). */
export const TOPOLOGY_TAG = 'payments:topology';

/** Tags the construct's own CloudFormation resource only, not taggable children such as event source mappings. */
export function tagWithTopologyName(construct: IConstruct, name: string): void {
  const resource = construct.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) throw new Error(`${construct.node.path} has no resource to tag`);
  Tags.of(construct).add(TOPOLOGY_TAG, name, { includeResourceTypes: [resource.cfnResourceType] });
}

/** Topology name of the dead-letter queue that belongs to queue `name`. */
export function deadLetterQueueName(name: string): string {
  return `${name}-dlq`;
}

import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, unknown>;

/** The pages of a Query, following LastEvaluatedKey to the end. */
export async function* queryPages(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
): AsyncGenerator<Item[]> {
  let startKey = input.ExclusiveStartKey;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** The pages of a Scan (for nightly jobs only: its cost grows with the table). */
export async function* scanPages(
  client: DynamoDBDocumentClient,
  input: ScanCommandInput,
): AsyncGenerator<Item[]> {
  let startKey = input.ExclusiveStartKey;
  do {
    const page = await client.send(new ScanCommand({ ...input, ExclusiveStartKey: startKey }));
    yield page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

export async function queryAll(client: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of queryPages(client, input)) items.push(...page);
  return items;
}

/**
 * Up to `limit` items from several queries in turn (e.g. the shards of a sparse index),
 * never reading more than is still wanted.
 */
export async function queryUpTo(
  client: DynamoDBDocumentClient,
  inputs: readonly QueryCommandInput[],
  limit: number,
): Promise<Item[]> {
  const items: Item[] = [];
  for (const input of inputs) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({ ...input, Limit: limit - items.length, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    if (items.length >= limit) break;
  }
  return items;
}

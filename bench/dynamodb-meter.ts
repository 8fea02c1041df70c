import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type BilledTable,
  billFailedWrite,
  billWrite,
  type Item,
  type WriteInput,
  type WriteTarget,
  writeTargets,
} from './dynamodb-billing';
import { round } from './stats';

/** Shared by the DynamoDB measurements: a client on the stack's DynamoDB Local, and a request meter. */

const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

interface ConsumedCapacity {
  readonly CapacityUnits?: number;
}

/** A client on the local stack's DynamoDB Local, with the emulator's dummy credentials. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Requests (and what DynamoDB reported for them) divided by some unit of work: a confirm, a run. */
export interface RequestCost {
  readonly requests: {
    readonly total: number;
    readonly byCommand: Readonly<Record<string, number>>;
  };
  readonly failedRequests: Readonly<Record<string, number>>;
  /** As DynamoDB Local computes them (ReturnConsumedCapacity=TOTAL: table plus indexes). */
  readonly wcu: number | null;
  readonly rcu: number | null;
  readonly capacityUnitsByCommand: Readonly<Record<string, number>> | null;
  readonly capacityNote?: string;
  /** WCU by AWS's billing model (bench/dynamodb-billing.ts), from each item before and after its write. */
  readonly awsModelWcu?: number;
  readonly awsModelWcuByCommand?: Readonly<Record<string, number>>;
}

/** Images every item a write touches, before and after, on a second client, to bill it as AWS would. */
export class WriteBiller {
  readonly wcu = new Map<string, number>();

  constructor(
    private readonly reader: DynamoDBClient,
    private readonly tables: Readonly<Record<string, BilledTable>>,
  ) {}

  close(): void {
    this.reader.destroy();
  }

  async around<T>(command: string, input: WriteInput, send: () => Promise<T>): Promise<T> {
    const targets = writeTargets(input, this.tables);
    const transactional = input.TransactItems !== undefined;
    const before = await Promise.all(targets.map((target) => this.image(target)));
    let units = 0;
    try {
      const result = await send();
      const after = await Promise.all(targets.map((target) => this.image(target)));
      targets.forEach((target, i) => {
        const table = this.tables[target.table] as BilledTable;
        units += target.checkOnly
          ? billFailedWrite(before[i], true).total
          : billWrite(before[i], after[i], table, transactional).total;
      });
      return result;
    } catch (error) {
      const refused = ['ConditionalCheckFailedException', 'TransactionCanceledException'];
      if (error instanceof Error && refused.includes(error.name)) {
        units += before.reduce((sum, item) => sum + billFailedWrite(item, transactional).total, 0);
      }
      throw error;
    } finally {
      this.wcu.set(command, (this.wcu.get(command) ?? 0) + units);
    }
  }

  private async image(target: WriteTarget): Promise<Item | undefined> {
    const answer = await this.reader.send(
      new GetItemCommand({
        TableName: target.table,
        Key: target.key as Record<string, AttributeValue>,
        ConsistentRead: true,
      }),
    );
    return answer.Item;
  }
}

/** DynamoDB requests by command, and the capacity DynamoDB reports for them. */
export class RequestMeter {
  counting = false;
  readonly requests = new Map<string, number>();
  readonly failures = new Map<string, number>();
  /** Capacity units DynamoDB reported, by command. */
  readonly capacity = new Map<string, number>();
  /** Successful requests whose answer carried no ConsumedCapacity. */
  withoutCapacity = 0;

  constructor(private readonly biller?: WriteBiller) {}

  /** Releases the biller's second client (the caller destroys the metered one). */
  close(): void {
    this.biller?.close();
  }

  reset(): void {
    this.requests.clear();
    this.failures.clear();
    this.capacity.clear();
    this.biller?.wcu.clear();
    this.withoutCapacity = 0;
  }

  /** Counts what `measure` sends (only that: the meter is reset first and stopped after). */
  async count<T>(measure: () => Promise<T>): Promise<T> {
    this.reset();
    this.counting = true;
    try {
      return await measure();
    } finally {
      this.counting = false;
    }
  }

  /**
   * An `initialize` middleware: runs once per `send` (retries happen further down the stack),
   * sees the command name, and asks for ConsumedCapacity on a copy of the input, so the
   * product's command objects stay untouched.
   */
  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.counting) return next(args);
        const command = context.commandName ?? 'unknown';
        this.requests.set(command, (this.requests.get(command) ?? 0) + 1);
        try {
          const send = () => next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } });
          const result =
            this.biller && WRITE_COMMANDS.has(command)
              ? await this.biller.around(command, args.input as WriteInput, send)
              : await send();
          this.addCapacity(command, (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
          return result;
        } catch (error) {
          this.failures.set(command, (this.failures.get(command) ?? 0) + 1);
          throw error;
        }
      },
      { step: 'initialize', name: 'benchRequestMeter' },
    );
  }

  private addCapacity(command: string, consumed: unknown): void {
    const items = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as ConsumedCapacity[];
    const units = items.reduce((sum, item) => sum + (item.CapacityUnits ?? 0), 0);
    if (items.length === 0 || items.every((item) => item.CapacityUnits === undefined)) {
      this.withoutCapacity++;
      return;
    }
    this.capacity.set(command, (this.capacity.get(command) ?? 0) + units);
  }

  /** What was counted, divided by `units` (`unit` names it in the notes, e.g. "confirm"). */
  per(units: number, unit: string): RequestCost {
    const per = (counts: Map<string, number>) =>
      Object.fromEntries([...counts].sort().map(([command, n]) => [command, round(n / units)]));
    const sum = (counts: Iterable<[string, number]>) => [...counts].reduce((total, [, n]) => total + n, 0);
    const total = sum(this.requests);
    const failed = sum(this.failures);
    const capacityReported = this.withoutCapacity === 0 && total > failed;
    const capacityUnits = (writes: boolean) =>
      capacityReported
        ? round(sum([...this.capacity].filter(([command]) => WRITE_COMMANDS.has(command) === writes)) / units)
        : null;
    const notes: string[] = [];
    if (this.withoutCapacity > 0) {
      notes.push(
        `${this.withoutCapacity} of ${total - failed} successful requests came back without ConsumedCapacity from DynamoDB Local`,
      );
    }
    if (failed > 0) {
      notes.push(
        `${round(failed / units)} failed request(s) per ${unit} (conditional check) report no capacity here; DynamoDB bills a failed conditional write at least 1 WCU`,
      );
    }
    return {
      requests: { total: round(total / units), byCommand: per(this.requests) },
      failedRequests: per(this.failures),
      wcu: capacityUnits(true),
      rcu: capacityUnits(false),
      capacityUnitsByCommand: capacityReported ? per(this.capacity) : null,
      ...(notes.length > 0 ? { capacityNote: notes.join('; ') } : {}),
      ...(this.biller
        ? { awsModelWcu: round(sum(this.biller.wcu) / units), awsModelWcuByCommand: per(this.biller.wcu) }
        : {}),
    };
  }
}

/**
 * A client on the stack's DynamoDB Local with a meter attached (counting off until asked); given
 * the tables' billing specs (by table name), it also bills every write by AWS's model.
 */
export function meteredDynamoClient(
  endpoint: string,
  billedTables?: Readonly<Record<string, BilledTable>>,
): { client: DynamoDBClient; meter: RequestMeter } {
  const client = localDynamoClient(endpoint);
  const meter = new RequestMeter(billedTables && new WriteBiller(localDynamoClient(endpoint), billedTables));
  meter.attach(client);
  return { client, meter };
}

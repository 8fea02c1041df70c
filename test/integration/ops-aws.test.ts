/**
 * `npm run ops -- --aws ...` finds deployed queues by their `payments:topology` and
 * `payments:stack` tags, because CloudFormation generates their names and an account may hold
 * several copies. Here the "deployed" queues are tagged queues on the local SQS (the SDK honours
 * AWS_ENDPOINT_URL_SQS), two copies of them, so the lookup and the redrive run for real.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { deadLetterQueueName, STACK_TAG, stackNames, TOPOLOGY_TAG } from '../../lib/topology';
import { localTopology } from '../../local/runtime/wiring';
import { localSqs, queueDepth, unique } from '../support/events';
import { ops } from '../support/ops-cli';

let sqs: SQSClient;
/** Queue URLs of two deployed copies, by stack prefix, then topology name. */
const copies = { OpsA: new Map<string, string>(), OpsB: new Map<string, string>() };
type Copy = keyof typeof copies;

async function createTagged(copy: Copy, name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${unique(name)}.fifo`,
      Attributes: { FifoQueue: 'true', ...attributes },
      tags: { [TOPOLOGY_TAG]: name, [STACK_TAG]: stackNames(copy).stateful },
    }),
  );
  copies[copy].set(name, QueueUrl as string);
  return QueueUrl as string;
}

/** A copy deployed with as many queue shards as `QUEUE_SHARDS` tells the ops CLI (the laptop's default). */
async function deployCopy(copy: Copy): Promise<void> {
  for (const [name, spec] of Object.entries(localTopology().queues)) {
    if (!spec.deadLetter) {
      await createTagged(copy, name);
      continue;
    }
    const dlqUrl = await createTagged(copy, deadLetterQueueName(name));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    );
    await createTagged(copy, name, {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 5 }),
    });
  }
}

async function sendDeadLetters(url: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: `{"dead":${i}}`,
        MessageGroupId: 'g',
        MessageDeduplicationId: unique(String(i)),
      }),
    );
  }
}

beforeAll(async () => {
  sqs = localSqs();
  await deployCopy('OpsA');
});

describe('npm run ops -- --aws', () => {
  it('lists and redrives the tagged queues of the only copy, not the local ones of the same name', async () => {
    const walletDlq = copies.OpsA.get('wallet-dlq') as string;
    const wallet = copies.OpsA.get('wallet') as string;
    await sendDeadLetters(walletDlq, 2);

    const listed = await ops('--aws', 'dlq', 'list');
    expect(listed).toMatchObject({ code: 0 });
    expect(listed.stderr).toContain('stacks OpsAStatefulStack and OpsAStatelessStack');
    expect(listed.stdout).toMatch(/^wallet-dlq\s+2$/m);
    expect(listed.stdout).toMatch(/^ledger-dlq\s+0$/m);
    expect(listed.stdout).toMatch(/^publishFailures\s+0$/m);

    const redriven = await ops('--aws', 'redrive', 'wallet');
    expect(redriven).toMatchObject({ code: 0 });
    expect(JSON.parse((await ops('--aws', '--json', 'dlq', 'list')).stdout)).toContainEqual({
      queue: 'wallet-dlq',
      messages: 0,
    });
    expect(redriven.stdout).toBe(
      'from     wallet-dlq\nto       wallet\nmoved    2\nwaiting  2\nstatus   COMPLETED\n',
    );
    expect(await queueDepth(sqs, walletDlq)).toBe(0);
    expect(await queueDepth(sqs, wallet)).toBe(2);
  }, 60_000);

  it('with two copies deployed, refuses without --stack and acts only on the copy named', async () => {
    await deployCopy('OpsB');
    await sendDeadLetters(copies.OpsB.get('ledger-dlq') as string, 3);

    const unnamed = await ops('--aws', 'dlq', 'list');
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toMatch(/several deployed copies .*OpsA, OpsB.*--stack/);

    const b = await ops('--aws', '--stack', 'OpsBStatelessStack', 'dlq', 'list');
    expect(b).toMatchObject({ code: 0 });
    expect(b.stdout).toMatch(/^ledger-dlq\s+3$/m);
    const a = await ops('--aws', '--stack', 'OpsA', 'redrive', 'ledger');
    expect(a.stdout).toMatch(/^from\s+ledger-dlq\nto\s+ledger\nmoved\s+0\nwaiting\s+0\n/);
    expect(await queueDepth(sqs, copies.OpsB.get('ledger-dlq') as string)).toBe(3);

    const none = await ops('--aws', '--stack', 'Nope', 'dlq', 'list');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no queue .* carries payments:stack=NopeStatefulStack .*OpsA, OpsB/);
  }, 90_000);
});

/**
 * `npm run ops -- --aws ...` finds deployed queues by their `payments:topology` tag, because
 * CloudFormation generates their names. Here the "deployed" queues are tagged queues on the
 * local SQS (the SDK honours AWS_ENDPOINT_URL_SQS), so the lookup and the redrive run for real.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { deadLetterQueueName, TOPOLOGY_TAG, topology } from '../../lib/topology';
import { localSqs, queueDepth, unique } from '../support/events';
import { ops } from '../support/ops-cli';

let sqs: SQSClient;
const urls = new Map<string, string>();

async function createTagged(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${unique(name)}.fifo`,
      Attributes: { FifoQueue: 'true', ...attributes },
      tags: { [TOPOLOGY_TAG]: name },
    }),
  );
  urls.set(name, QueueUrl as string);
  return QueueUrl as string;
}

beforeAll(async () => {
  sqs = localSqs();
  for (const [name, spec] of Object.entries(topology.queues)) {
    if (!spec.deadLetter) continue;
    const dlqUrl = await createTagged(deadLetterQueueName(name));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    );
    await createTagged(name, {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 5 }),
    });
  }
});

describe('npm run ops -- --aws', () => {
  it('lists and redrives the tagged queues, not the local ones of the same name', async () => {
    const walletDlq = urls.get('wallet-dlq') as string;
    const wallet = urls.get('wallet') as string;
    for (const id of ['a', 'b']) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: walletDlq,
          MessageBody: `{"dead":"${id}"}`,
          MessageGroupId: 'g',
          MessageDeduplicationId: unique(id),
        }),
      );
    }

    const listed = await ops('--aws', 'dlq', 'list');
    expect(listed).toMatchObject({ code: 0 });
    expect(listed.stdout).toMatch(/wallet-dlq\s+2 message/);
    expect(listed.stdout).toMatch(/ledger-dlq\s+0 message/);

    const redriven = await ops('--aws', 'redrive', 'wallet');
    expect(redriven).toMatchObject({ code: 0 });
    expect(redriven.stdout).toMatch(/redrive wallet-dlq -> wallet: 2 moved of 2 \(COMPLETED\)/);
    expect(await queueDepth(sqs, walletDlq)).toBe(0);
    expect(await queueDepth(sqs, wallet)).toBe(2);
  }, 60_000);

  it('refuses to reconcile on AWS from a laptop (the deployed function does that)', async () => {
    const answer = await ops('--aws', 'reconcile', '--date', '2024-03-01');
    expect(answer.code).toBe(1);
    expect(answer.stderr).toMatch(/usage/);
  }, 30_000);
});

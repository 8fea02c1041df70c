import { bundleLines } from './bundle-report';
import type { CostBreakdown } from './payment-cost';
import type { LifeCost } from './payment-life';
import { type BenchReport, isFailed } from './report';
import type { Distribution } from './stats';
import { modelTable } from './throughput-model';

function failedNote(failed: Readonly<Record<string, number>>): string {
  const parts = Object.entries(failed).map(([command, n]) => `${n} ${command.replace(/Command$/, '')}`);
  return parts.length > 0 ? `; failed (conditional, capacity unreported): ${parts.join(', ')}` : '';
}

/** The few lines `npm run bench` prints; the JSON report has everything else. */
export function summarize(report: BenchReport, file: string): string {
  const lines: string[] = [];
  const env = report.environment;
  lines.push(
    `bench ${env.gitCommit ?? '?'}${env.gitDirty ? '+dirty' : ''} · node ${env.node} · ${env.cpuCount} cpu · ${(report.durationMs / 1000).toFixed(0)} s`,
  );

  const bundles = report.bundles;
  if (isFailed(bundles)) lines.push(`bundles: FAILED ${bundles.error}`);
  else lines.push(...bundleLines(bundles));

  const load = report.confirmLoad;
  if (isFailed(load)) lines.push(`confirm load: FAILED ${load.error}`);
  else {
    const l = load.confirmLatencyMs;
    const statuses = Object.entries(load.statusCounts)
      .map(([status, count]) => `${count}×${status}`)
      .join(' ');
    lines.push(
      `confirm on local stack (${load.payments} payments, concurrency ${load.concurrency}): p50 ${l.p50.toFixed(0)} / p95 ${l.p95.toFixed(0)} / p99 ${l.p99.toFixed(0)} ms, ${load.confirmsPerSecond} confirms/s [${statuses}]`,
    );
  }

  const cost = report.dynamodbPerConfirm;
  if (isFailed(cost)) lines.push(`dynamodb per confirm: FAILED ${cost.error}`);
  else {
    for (const size of cost.byOrderSize) {
      for (const [label, c] of [
        ['first confirm', size.firstConfirm],
        ['replay', size.replay],
      ] as const) {
        const by = Object.entries(c.requestsPerConfirm.byCommand)
          .map(([command, n]) => `${command.replace(/Command$/, '')} ${n}`)
          .join(', ');
        lines.push(
          `dynamodb per ${label} (${size.lines} lines): ${c.requestsPerConfirm.total} requests (${by}); WCU ${c.awsModelWcu ?? '?'} by AWS's model (DynamoDB Local reports ${c.wcuPerConfirm ?? 'null'}), RCU ${c.rcuPerConfirm ?? 'null'}${failedNote(c.failedRequestsPerConfirm)}`,
        );
      }
      const b = size.deliveryBookkeeping;
      lines.push(
        `  then per event (${size.lines} lines, payment item ${b.paymentItemBytes} B): publisher's mark ${b.publishMarkWcu} WCU, completion ${b.completionWcu} WCU`,
      );
    }
  }

  const life = report.paymentCost;
  if (isFailed(life)) lines.push(`payment life: FAILED ${life.error}`);
  else {
    const steps = (cost: LifeCost) =>
      Object.entries(cost.steps)
        .map(([step, s]) => `${step} ${s.wcu}`)
        .join(', ');
    const usd = (b: CostBreakdown) =>
      `$${b.total} (DynamoDB ${b.dynamodb}, Lambda ${b.lambda}, SQS ${b.sqs}, API Gateway ${b.apiGateway})`;
    lines.push(
      `payment life (${life.life.lines} lines): ${life.life.payment.wcu} WCU (${steps(life.life.payment)}; before ${life.lifeWru2LinesBefore}), ${life.life.payment.rcu} RCU, ${life.life.payment.sqsSends} SQS sends; cancel ${life.life.cancel.wcu} WCU (${steps(life.life.cancel)})`,
      `  per million at ${life.prices.region} list prices: payments ${usd(life.perMillionPayments)}; cancels ${usd(life.perMillionCancels)}`,
    );
  }

  const lag = report.outboxLag;
  if (isFailed(lag)) lines.push(`outbox lag: FAILED ${lag.error}`);
  else {
    const p = (d: Distribution) =>
      `p50 ${d.p50.toFixed(0)} / p95 ${d.p95.toFixed(0)} / p99 ${d.p99.toFixed(0)} ms`;
    lines.push(
      `outbox lag (${lag.payments} payments, ${lag.concurrency} at a time, polled every ${lag.pollIntervalMs} ms): confirm → slot published ${p(lag.commitToPublishedMs)}; → walletSettled ${p(lag.commitToWalletSettledMs)} (dominated by the local SQS emulator's long-poll behaviour)`,
    );
  }

  const recovery = report.recoveryCostVsTableSize;
  if (isFailed(recovery)) lines.push(`recovery cost vs table size: FAILED ${recovery.error}`);
  else {
    const points = recovery.points.map((point) => {
      const by = Object.entries(point.perRun.requests.byCommand)
        .map(([command, n]) => `${command.replace(/Command$/, '')} ${n}`)
        .join(', ');
      return `${point.healthyPayments.toLocaleString('en')} healthy: ${point.perRun.requests.total} (${by}), ${point.perStuckPayment.requests.total}/stuck`;
    });
    const stuck = recovery.points[0]?.stuckPayments ?? 0;
    lines.push(
      `recovery run, ${stuck} stuck payments, DynamoDB requests: ${points.join('; ')} — ${recovery.requestsIndependentOfTableSize ? 'same at every size' : 'DIFFERS with table size'}`,
    );
  }

  const recon = report.reconciliation;
  if (isFailed(recon)) lines.push(`reconciliation: FAILED ${recon.error}`);
  else {
    lines.push(
      `reconciliation (${recon.settlementRows.toLocaleString('en')} rows, ${recon.passes} passes, in-memory fakes): ${recon.rowsPerSecond.toLocaleString('en')} rows/s, peak heapUsed ${recon.peakHeapUsedMb.toFixed(0)} MB, peak RSS ${recon.peakRssMb.toFixed(0)} MB`,
    );
  }
  const model = report.throughputModel;
  lines.push(
    `throughput model: ceiling ${model.ceilingPaymentsPerSecond.toLocaleString('en')} payments/s (bottleneck: ${model.bottleneck}; publisher headroom ×${model.publisherHeadroom.toFixed(1)})`,
  );
  lines.push(modelTable(model));
  lines.push(`summary: ${JSON.stringify(report.summary)}`);
  lines.push(`report: ${file}`);
  return lines.join('\n');
}

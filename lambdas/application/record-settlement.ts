import type { SettlementLog, SettlementReport } from '../ports/completion';

export function recordSettlementUseCase(deps: { log: SettlementLog; clock: () => Date }) {
  return (report: SettlementReport) => deps.log.recordSettled(report, deps.clock().toISOString());
}

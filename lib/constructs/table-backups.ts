import { Duration, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface TableBackupsProps {
  readonly tables: readonly dynamodb.ITable[];
  readonly encryptionKey: kms.IKey;
}

/** Daily backups kept 35 days and monthly ones kept a year (PITR covers the last 35 days to the second). */
export const BACKUP_RETENTION = { dailyDays: 35, monthlyDays: 365 } as const;

/**
 * An AWS Backup plan for the tables, into a vault under the data key: recovery copies that live
 * apart from the tables (PITR is lost with a deleted table), kept longer than PITR's 35 days.
 */
export class TableBackups extends Construct {
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: TableBackupsProps) {
    super(scope, id);
    const vault = new backup.BackupVault(this, 'Vault', { encryptionKey: props.encryptionKey });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          // 03:00 in Seoul, after the nightly reconciliation.
          scheduleExpression: events.Schedule.cron({ hour: '18', minute: '0' }),
          deleteAfter: Duration.days(BACKUP_RETENTION.dailyDays),
        }),
        new backup.BackupPlanRule({
          ruleName: 'Monthly',
          scheduleExpression: events.Schedule.cron({ day: '1', hour: '18', minute: '0' }),
          deleteAfter: Duration.days(BACKUP_RETENTION.monthlyDays),
        }),
      ],
    });
    const selection = this.plan.addSelection('Tables', {
      resources: props.tables.map((table) => backup.BackupResource.fromDynamoDbTable(table)),
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'The role AWS Backup assumes to take the backups; AWS maintains this managed policy with exactly the actions backups of each resource type need.',
    });
  }
}

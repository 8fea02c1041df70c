import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The PSP (Toss Payments) secret key. CloudFormation creates a placeholder value; the operator stores
 * the real key with `aws secretsmanager put-secret-value` after the first deploy.
 */
export class PspSecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Toss Payments secret key used for Basic auth against the PSP API',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The PSP issues and revokes this key in its merchant console; there is no API a rotation Lambda could call, so rotation is an operator runbook step.',
    });
  }
}

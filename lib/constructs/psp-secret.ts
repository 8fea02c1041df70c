import { CfnOutput, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** A secret kept when its stack is deleted (unless the deploy profile says destroy), with why it is not rotated. */
export function retainedSecret(
  scope: Construct,
  props: secretsmanager.SecretProps,
  notRotatedBecause: string,
): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'Secret', {
    removalPolicy: RemovalPolicy.RETAIN,
    ...props,
  });
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: notRotatedBecause });
  return secret;
}

/**
 * The PSP (Toss Payments) secret key. Created empty: no placeholder ever reaches the PSP. The operator
 * stores the real key with `aws secretsmanager put-secret-value --secret-id <PspSecretArn>` after the
 * first deploy; until then confirms answer 503 and /health reports the PSP as not configured.
 */
export class PspSecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = retainedSecret(
      this,
      { description: 'Toss Payments secret key used for Basic auth against the PSP API' },
      'The PSP issues and revokes this key in its merchant console; there is no API a rotation Lambda could call, so rotation is an operator runbook step.',
    );
    // The L2 construct would generate a random value; this secret has none until the operator sets it.
    (this.secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyDeletionOverride(
      'GenerateSecretString',
    );
    new CfnOutput(this, 'Arn', {
      key: 'PspSecretArn',
      description: 'Store the Toss Payments secret key here (aws secretsmanager put-secret-value)',
      value: this.secret.secretArn,
    });
  }
}

import { Aspects, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';

export interface AlarmTopicProps {
  /** Subscribed by email when set (CDK context `alarmEmail`); AWS asks the address to confirm. */
  readonly email?: string;
  /** Customer-managed key of the topic (regulated deploys); its policy must let CloudWatch use it. */
  readonly masterKey?: kms.IKey;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * The one SNS topic every alarm of the stack notifies, on alarm and back to OK. Every CloudWatch alarm
 * in the stack is wired to it by an aspect, including alarms other constructs add later. Publishing
 * requires TLS. Unencrypted unless a customer-managed key is given (regulated deploys): notifications
 * carry alarm names and descriptions only, and CloudWatch cannot publish to a topic under the
 * AWS-managed SNS key.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Payments alarms',
      enforceSSL: true,
      masterKey: props.masterKey,
    });
    if (props.email !== undefined) {
      if (!EMAIL.test(props.email)) throw new Error(`alarmEmail is not an email address: ${props.email}`);
      const subscription = this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An email subscription: SNS retries delivery to the mail service itself, and the alarm stays in ALARM on the console and dashboard if mail is lost.',
      });
    }
    const notify = new actions.SnsAction(this.topic);
    Aspects.of(Stack.of(this)).add({
      visit(node: IConstruct) {
        if (!(node instanceof cloudwatch.Alarm)) return;
        node.addAlarmAction(notify);
        node.addOkAction(notify);
      },
    });
  }
}

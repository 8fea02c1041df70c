import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Structured JSON logs; service name and level come from POWERTOOLS_* variables. */
export const logger = new Logger();

/** CloudWatch metrics in embedded metric format; namespace from POWERTOOLS_METRICS_NAMESPACE. */
export const metrics = new Metrics();

#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { definePaymentsApp, paymentsAppConfig } from '../lib/stacks/payments-app';

const app = new App();
definePaymentsApp(app, paymentsAppConfig(app));
app.synth();

import { startAwsHostDriver } from '../support/host-driver.ts';
import { describeHostScenarios } from './host-scenarios.ts';

describeHostScenarios(
  'AWS host end to end (built Lambda bundles; dynalite, fauxqs, aws-local-stepfunctions), EXPRESS',
  () => startAwsHostDriver({ workflowType: 'EXPRESS', successRate: 1 }),
);

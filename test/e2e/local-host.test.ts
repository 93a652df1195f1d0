import { startLocalHostDriver } from '../support/host-driver.ts';
import { describeHostScenarios } from './host-scenarios.ts';

// The scenarios the AWS host runs (aws-host.test.ts), against the local host: one behaviour for both.
describeHostScenarios('local host end to end (server process over HTTP), the shared host scenarios', () =>
  startLocalHostDriver({ successRate: 1 }),
);

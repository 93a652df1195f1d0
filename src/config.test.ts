import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LAMBDA_ENVIRONMENT, loadLambdaConfig, loadLocalConfig } from './config.ts';

describe('loadLocalConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const config = loadLocalConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.successRate, 0.7);
    assert.equal(config.maxReceiveCount, 3);
    assert.equal(config.visibilityTimeoutMs, 5000);
    assert.equal(config.batchSize, 25);
    assert.equal(config.consumerConcurrency, 4);
    assert.equal(config.workflowEngine, 'compiled');
    assert.equal(config.workflowType, 'EXPRESS');
    assert.equal(config.randomSeed, undefined);
    assert.ok(Object.isFrozen(config));
  });

  it('parses numbers and treats an empty variable as unset', () => {
    const config = loadLocalConfig({
      PORT: '8080',
      VISIBILITY_TIMEOUT_SECONDS: '0.25',
      FULFILLMENT_SUCCESS_RATE: '',
      DOFS_RANDOM_SEED: '42',
    });
    assert.deepEqual(
      [config.port, config.visibilityTimeoutMs, config.successRate, config.randomSeed],
      [8080, 250, 0.7, '42'],
    );
  });

  it('reads the edge limits: allowed hosts, connections, list reads', () => {
    const defaults = loadLocalConfig({});
    assert.deepEqual(
      [defaults.allowedHosts, defaults.maxConnections, defaults.maxListReads],
      [undefined, 1024, 4],
    );
    const config = loadLocalConfig({
      DOFS_ALLOWED_HOSTS: 'Dofs.Example, [::1]',
      DOFS_MAX_CONNECTIONS: '64',
      DOFS_MAX_LIST_READS: '2',
    });
    assert.deepEqual(
      [config.allowedHosts, config.maxConnections, config.maxListReads],
      [['dofs.example', '[::1]'], 64, 2],
    );
    assert.throws(
      () => loadLocalConfig({ DOFS_ALLOWED_HOSTS: 'dofs.example:3000' }),
      /DOFS_ALLOWED_HOSTS must be/,
    );
  });

  it('reads the shutdown deadline in seconds, 10 by default', () => {
    assert.equal(loadLocalConfig({}).shutdownTimeoutMs, 10_000);
    assert.equal(loadLocalConfig({ DOFS_SHUTDOWN_TIMEOUT_SECONDS: '2.5' }).shutdownTimeoutMs, 2500);
    assert.throws(
      () => loadLocalConfig({ DOFS_SHUTDOWN_TIMEOUT_SECONDS: '0' }),
      /DOFS_SHUTDOWN_TIMEOUT_SECONDS must be a number of seconds over 0/,
    );
  });

  it('fails naming every bad variable', () => {
    assert.throws(
      () =>
        loadLocalConfig({
          PORT: 'http',
          MAX_RECEIVE_COUNT: '0',
          LOG_LEVEL: 'loud',
          ALERT_WEBHOOK_URL: 'ftp://x',
        }),
      (error: Error) =>
        error.name === 'ConfigError' &&
        error.message.includes('PORT must be an integer from 0 to 65535') &&
        error.message.includes('MAX_RECEIVE_COUNT must be an integer from 1 to 1000') &&
        error.message.includes('LOG_LEVEL must be one of debug, info, warn, error, silent') &&
        error.message.includes('ALERT_WEBHOOK_URL must be an http(s) URL'),
    );
  });
});

describe('loadLambdaConfig', () => {
  it('reads exactly the variables its function needs', () => {
    const config = loadLambdaConfig('store-order', { ORDERS_TABLE: 'orders', STATE_MACHINE_ARN: 'ignored' });
    assert.deepEqual({ ...config }, { ORDERS_TABLE: 'orders' });
    assert.deepEqual(LAMBDA_ENVIRONMENT['validate-order'], []);
  });

  it('fails at cold start naming a missing variable', () => {
    assert.throws(
      () => loadLambdaConfig('dead-letter', { ORDERS_TABLE: 'orders' }),
      /FAILED_ORDERS_TABLE is required/,
    );
    assert.throws(
      () => loadLambdaConfig('api', {}),
      /ORDERS_TABLE is required.*STATE_MACHINE_ARN is required/,
    );
  });
});

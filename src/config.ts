import * as z from 'zod/mini';

const number = (name: string, check: (n: number) => boolean, rule: string, fallback: number) =>
  z._default(
    z.pipe(
      z.string().check(
        z.refine((raw) => raw.trim() !== '' && Number.isFinite(Number(raw)) && check(Number(raw)), {
          error: `${name} must be ${rule}`,
        }),
      ),
      z.transform(Number),
    ),
    fallback,
  );

const integer = (name: string, min: number, max: number, fallback: number) =>
  number(
    name,
    (n) => Number.isInteger(n) && n >= min && n <= max,
    `an integer from ${min} to ${max}`,
    fallback,
  );

const oneOf = <T extends string>(name: string, values: readonly [T, ...T[]], fallback: T) =>
  z._default(z.enum(values, { error: `${name} must be one of ${values.join(', ')}` }), fallback);

const text = (fallback: string) => z._default(z.string().check(z.minLength(1)), fallback);

const localSchema = z.object({
  PORT: integer('PORT', 0, 65535, 3000),
  HOST: text('127.0.0.1'),
  DOFS_DATA_DIR: text('./.dofs'),
  FULFILLMENT_SUCCESS_RATE: number(
    'FULFILLMENT_SUCCESS_RATE',
    (n) => n >= 0 && n <= 1,
    'a number from 0 to 1',
    0.7,
  ),
  MAX_RECEIVE_COUNT: integer('MAX_RECEIVE_COUNT', 1, 1000, 3),
  VISIBILITY_TIMEOUT_SECONDS: number(
    'VISIBILITY_TIMEOUT_SECONDS',
    (n) => n >= 0 && n <= 43_200,
    'a number of seconds from 0 to 43200',
    5,
  ),
  BATCH_SIZE: integer('BATCH_SIZE', 1, 10_000, 25),
  DOFS_RANDOM_SEED: z.optional(z.string().check(z.minLength(1))),
  DLQ_ALARM_THRESHOLD: integer('DLQ_ALARM_THRESHOLD', 1, 1_000_000, 1),
  LOG_LEVEL: oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'], 'info'),
  DOFS_SQLITE_SYNC: oneOf('DOFS_SQLITE_SYNC', ['normal', 'full'], 'normal'),
  CONSUMER_CONCURRENCY: integer('CONSUMER_CONCURRENCY', 1, 64, 4),
  DOFS_COMMIT_DELAY_MS: integer('DOFS_COMMIT_DELAY_MS', 0, 100, 1),
  DOFS_SQLITE_BUSY_TIMEOUT_MS: integer('DOFS_SQLITE_BUSY_TIMEOUT_MS', 0, 60_000, 5000),
  DOFS_WORKFLOW_ENGINE: oneOf('DOFS_WORKFLOW_ENGINE', ['compiled', 'aws-local-stepfunctions'], 'compiled'),
  DOFS_WORKFLOW_TYPE: oneOf('DOFS_WORKFLOW_TYPE', ['EXPRESS', 'STANDARD'], 'EXPRESS'),
  DOFS_API_KEY: z.optional(
    z.string().check(z.minLength(16, { error: 'DOFS_API_KEY must be at least 16 characters' })),
  ),
  DOFS_RATE_LIMIT_PER_S: integer('DOFS_RATE_LIMIT_PER_S', 0, 1_000_000, 10_000),
  DOFS_MAX_BACKLOG: integer('DOFS_MAX_BACKLOG', 1, 100_000_000, 100_000),
  DOFS_ALLOWED_HOSTS: z.optional(
    z.string().check(
      z.refine(
        (raw) => raw.split(',').every((name) => /^(\*|[a-z0-9.-]+|\[[0-9a-f:.]+\])$/i.test(name.trim())),
        {
          error: 'DOFS_ALLOWED_HOSTS must be a comma-separated list of host names (no port), or *',
        },
      ),
    ),
  ),
  DOFS_MAX_CONNECTIONS: integer('DOFS_MAX_CONNECTIONS', 1, 1_000_000, 1024),
  DOFS_MAX_LIST_READS: integer('DOFS_MAX_LIST_READS', 1, 1000, 4),
  DOFS_SHUTDOWN_TIMEOUT_SECONDS: number(
    'DOFS_SHUTDOWN_TIMEOUT_SECONDS',
    (n) => n > 0 && n <= 3600,
    'a number of seconds over 0, at most 3600',
    10,
  ),
  ALERT_WEBHOOK_URL: z.optional(
    z.url({ protocol: /^https?$/, error: 'ALERT_WEBHOOK_URL must be an http(s) URL' }),
  ),
});

export type LocalConfig = Readonly<{
  port: number;
  host: string;
  dataDir: string;
  successRate: number;
  maxReceiveCount: number;
  visibilityTimeoutMs: number;
  batchSize: number;
  randomSeed: string | undefined;
  dlqAlarmThreshold: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  sqliteSync: 'NORMAL' | 'FULL';
  consumerConcurrency: number;
  commitDelayMs: number;
  busyTimeoutMs: number;
  alertWebhookUrl: string | undefined;
  workflowEngine: 'compiled' | 'aws-local-stepfunctions';
  /** EXPRESS: no execution journal (AWS's default type); STANDARD: journaled, resumed after a crash. */
  workflowType: 'EXPRESS' | 'STANDARD';
  apiKey: string | undefined;
  rateLimitPerSecond: number;
  maxBacklog: number;
  /** Host names the Host header may carry; undefined: the default for `host` (loopback names when loopback). */
  allowedHosts: readonly string[] | undefined;
  maxConnections: number;
  /** List reads (GET /orders, GET /failed-orders) served at once; more get 503 + Retry-After. */
  maxListReads: number;
  /** How long a graceful shutdown may take before the process exits anyway (status 1). */
  shutdownTimeoutMs: number;
}>;

/** A configuration variable is missing or malformed; the message names it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function parse<S extends z.core.$ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  // An empty variable counts as unset, as shells and .env files usually mean it.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = z.safeParse(schema, present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    return issue.code === 'invalid_type'
      ? `${name} is required`
      : issue.message.includes(name)
        ? issue.message
        : `${name}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** The local host's configuration, read once from the environment, typed and frozen. */
export function loadLocalConfig(env: Record<string, string | undefined> = process.env): LocalConfig {
  const raw = parse(localSchema, env);
  return Object.freeze({
    port: raw.PORT,
    host: raw.HOST,
    dataDir: raw.DOFS_DATA_DIR,
    successRate: raw.FULFILLMENT_SUCCESS_RATE,
    maxReceiveCount: raw.MAX_RECEIVE_COUNT,
    visibilityTimeoutMs: Math.round(raw.VISIBILITY_TIMEOUT_SECONDS * 1000),
    batchSize: raw.BATCH_SIZE,
    randomSeed: raw.DOFS_RANDOM_SEED,
    dlqAlarmThreshold: raw.DLQ_ALARM_THRESHOLD,
    logLevel: raw.LOG_LEVEL,
    sqliteSync: raw.DOFS_SQLITE_SYNC === 'full' ? 'FULL' : 'NORMAL',
    consumerConcurrency: raw.CONSUMER_CONCURRENCY,
    commitDelayMs: raw.DOFS_COMMIT_DELAY_MS,
    busyTimeoutMs: raw.DOFS_SQLITE_BUSY_TIMEOUT_MS,
    alertWebhookUrl: raw.ALERT_WEBHOOK_URL,
    workflowEngine: raw.DOFS_WORKFLOW_ENGINE,
    workflowType: raw.DOFS_WORKFLOW_TYPE,
    apiKey: raw.DOFS_API_KEY,
    rateLimitPerSecond: raw.DOFS_RATE_LIMIT_PER_S,
    maxBacklog: raw.DOFS_MAX_BACKLOG,
    allowedHosts: raw.DOFS_ALLOWED_HOSTS?.split(',').map((name) => name.trim().toLowerCase()),
    maxConnections: raw.DOFS_MAX_CONNECTIONS,
    maxListReads: raw.DOFS_MAX_LIST_READS,
    shutdownTimeoutMs: Math.round(raw.DOFS_SHUTDOWN_TIMEOUT_SECONDS * 1000),
  });
}

const nonEmpty = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .check(z.refine((v) => v.trim() !== '', { error: `${name} is required` }));

const awsSchema = z.object({
  ORDERS_TABLE: nonEmpty('ORDERS_TABLE'),
  ORDER_HISTORY_TABLE: nonEmpty('ORDER_HISTORY_TABLE'),
  FAILED_ORDERS_TABLE: nonEmpty('FAILED_ORDERS_TABLE'),
  ORDER_QUEUE_URL: nonEmpty('ORDER_QUEUE_URL'),
  STATE_MACHINE_ARN: nonEmpty('STATE_MACHINE_ARN'),
  FULFILLMENT_SUCCESS_RATE: localSchema.shape.FULFILLMENT_SUCCESS_RATE,
  DOFS_RANDOM_SEED: localSchema.shape.DOFS_RANDOM_SEED,
  WORKFLOW_TYPE: oneOf('WORKFLOW_TYPE', ['EXPRESS', 'STANDARD'], 'EXPRESS'),
});
type AwsVariables = z.infer<typeof awsSchema>;

/**
 * The environment each Lambda function reads: its config parser requires exactly these, and Terraform must
 * set exactly these (the contract tests compare the two).
 */
export const LAMBDA_ENVIRONMENT = {
  api: [
    'ORDERS_TABLE',
    'ORDER_HISTORY_TABLE',
    'FAILED_ORDERS_TABLE',
    'ORDER_QUEUE_URL',
    'STATE_MACHINE_ARN',
    'WORKFLOW_TYPE',
  ],
  'validate-order': [],
  // StoreOrder's create writes the order item only: its event lives there until the next transition.
  'store-order': ['ORDERS_TABLE'],
  'fulfill-order': ['ORDERS_TABLE', 'ORDER_HISTORY_TABLE', 'FULFILLMENT_SUCCESS_RATE', 'DOFS_RANDOM_SEED'],
  'dead-letter': ['ORDERS_TABLE', 'ORDER_HISTORY_TABLE', 'FAILED_ORDERS_TABLE'],
} as const satisfies Record<string, readonly (keyof AwsVariables)[]>;

export type LambdaName = keyof typeof LAMBDA_ENVIRONMENT;
export type LambdaConfig<F extends LambdaName> = Readonly<
  Pick<AwsVariables, (typeof LAMBDA_ENVIRONMENT)[F][number]>
>;

/** A Lambda function's configuration, read once at cold start; a missing or bad variable fails it, by name. */
export function loadLambdaConfig<F extends LambdaName>(
  fn: F,
  env: Record<string, string | undefined> = process.env,
): LambdaConfig<F> {
  const keys = LAMBDA_ENVIRONMENT[fn] as readonly (keyof AwsVariables)[];
  const picked = z.pick(
    awsSchema,
    Object.fromEntries(keys.map((k) => [k, true])) as Record<keyof AwsVariables, true>,
  );
  return Object.freeze(parse(picked, env)) as LambdaConfig<F>;
}

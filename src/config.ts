import { z } from 'zod';

const number = (name: string, check: (n: number) => boolean, rule: string) =>
  z
    .string()
    .trim()
    .refine((raw) => raw !== '' && Number.isFinite(Number(raw)) && check(Number(raw)), {
      error: `${name} must be ${rule}`,
    })
    .transform(Number);

const integer = (name: string, min: number, max: number) =>
  number(name, (n) => Number.isInteger(n) && n >= min && n <= max, `an integer from ${min} to ${max}`);

const localSchema = z.object({
  PORT: integer('PORT', 0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DOFS_DATA_DIR: z.string().min(1).default('./.dofs'),
  FULFILLMENT_SUCCESS_RATE: number(
    'FULFILLMENT_SUCCESS_RATE',
    (n) => n >= 0 && n <= 1,
    'a number from 0 to 1',
  ).default(0.7),
  MAX_RECEIVE_COUNT: integer('MAX_RECEIVE_COUNT', 1, 1000).default(3),
  VISIBILITY_TIMEOUT_SECONDS: number(
    'VISIBILITY_TIMEOUT_SECONDS',
    (n) => n >= 0 && n <= 43_200,
    'a number of seconds from 0 to 43200',
  ).default(5),
  BATCH_SIZE: integer('BATCH_SIZE', 1, 10_000).default(10),
  DOFS_RANDOM_SEED: z.string().min(1).optional(),
  DLQ_ALARM_THRESHOLD: integer('DLQ_ALARM_THRESHOLD', 1, 1_000_000).default(1),
  LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error', 'silent'], {
      error: 'LOG_LEVEL must be one of debug, info, warn, error, silent',
    })
    .default('info'),
  DOFS_SQLITE_SYNC: z
    .enum(['normal', 'full'], { error: 'DOFS_SQLITE_SYNC must be normal or full' })
    .default('normal'),
  CONSUMER_CONCURRENCY: integer('CONSUMER_CONCURRENCY', 1, 64).default(8),
  DOFS_COMMIT_DELAY_MS: integer('DOFS_COMMIT_DELAY_MS', 0, 100).default(1),
  DOFS_WORKFLOW_ENGINE: z
    .enum(['compiled', 'aws-local-stepfunctions'], {
      error: 'DOFS_WORKFLOW_ENGINE must be compiled or aws-local-stepfunctions',
    })
    .default('compiled'),
  ALERT_WEBHOOK_URL: z
    .url({ protocol: /^https?$/, error: 'ALERT_WEBHOOK_URL must be an http(s) URL' })
    .optional(),
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
  alertWebhookUrl: string | undefined;
  workflowEngine: 'compiled' | 'aws-local-stepfunctions';
}>;

/** A configuration variable is missing or malformed; the message names it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function parse<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  // An empty variable counts as unset, as shells and .env files usually mean it.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
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
    alertWebhookUrl: raw.ALERT_WEBHOOK_URL,
    workflowEngine: raw.DOFS_WORKFLOW_ENGINE,
  });
}

/**
 * Settings, read once from the environment and checked against a schema; a bad value stops the start with a
 * message naming it.
 */
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

const Env = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ default: '127.0.0.1' }),
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  NATS_URL: Type.Optional(Type.String({ minLength: 1 })),
  /** Prefix for the JetStream stream, subjects and consumers, to share one NATS server between deployments. */
  NATS_NAMESPACE: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' })),
  OPERATOR_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  /** One log line per HTTP request at info level; off for load tests and benchmarks. */
  LOG_REQUESTS: Type.Boolean({ default: true }),
  /** Where the embedded PostgreSQL keeps its data when DATABASE_URL is unset. */
  DATA_DIR: Type.String({ default: '.data' }),
  EMBEDDED_PG_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 54329 }),
  /** Commands an auction may have waiting before new ones are answered `busy`. */
  MAILBOX_CAPACITY: Type.Integer({ minimum: 1, default: 2000 }),
  /** Commands one actor hands to one transaction. */
  MAX_BATCH: Type.Integer({ minimum: 1, default: 500 }),
  MAX_COMMANDS_PER_TRANSACTION: Type.Integer({ minimum: 1, default: 4000 }),
  /** Least milliseconds between relay steps while events keep coming: fewer, larger steps under load. */
  RELAY_STEP_MILLIS: Type.Integer({ minimum: 0, maximum: 1000, default: 20 }),
  /** Least milliseconds between a read model's batches while events keep coming: fewer, larger statements. */
  PROJECTION_STEP_MILLIS: Type.Integer({ minimum: 0, maximum: 5000, default: 50 }),
  COMMIT_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 16, default: 2 }),
  ACTOR_IDLE_SECONDS: Type.Integer({ minimum: 1, default: 120 }),
  /** Per-user command rate; SPEC §7 requires at least 50 per second. */
  RATE_LIMIT_PER_SECOND: Type.Integer({ minimum: 50, default: 100 }),
  RATE_LIMIT_BURST: Type.Integer({ minimum: 1, default: 200 }),
  DB_POOL_SIZE: Type.Integer({ minimum: 2, default: 20 }),
  /** Bytes a WebSocket may have waiting to be sent before it is closed with 4008. */
  WS_MAX_BUFFERED_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  /** Seconds between pings; a socket that has not answered the last one is dropped. */
  WS_HEARTBEAT_SECONDS: Type.Integer({ minimum: 1, default: 30 }),
  /** `lock-per-request` runs the baseline design, for benchmarks only. */
  COMMAND_MODE: Type.Union([Type.Literal('actor'), Type.Literal('lock-per-request')], { default: 'actor' }),
});

export type Config = Static<typeof Env>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(Env.properties).flatMap((key) => {
      const value = env[key];
      return value === undefined || value === '' ? [] : [[key, value]];
    }),
  );
  const converted = Value.Convert(Env, Value.Default(Env, known));
  if (!Value.Check(Env, converted)) {
    const problems = [...Value.Errors(Env, converted)].map((e) => `${e.instancePath.slice(1) || 'env'}: ${e.message}`);
    throw new ConfigError(`invalid settings: ${problems.join('; ')}`);
  }
  return converted;
}

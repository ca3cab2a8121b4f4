/** The root pino logger; subsystems take children (`actor`, `relay`, `ws`, ...). */
import { type Logger, pino } from 'pino';

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { ...base },
    redact: { paths: ['req.headers.authorization', 'token'], censor: '[redacted]' },
  });
}

export type { Logger };

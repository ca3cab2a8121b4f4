/**
 * The one place errors become HTTP answers: `{"error": {"code", "message"}}`. Bad input is always a 4xx with a
 * stable code; an internal failure is a 5xx whose details stay in the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, ServiceError, errorBody } from '../errors.js';

const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
  503: 'unavailable',
};

/** Errors of the database connection itself (not of a statement): the service is unavailable, not broken. */
function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (
    typeof e.code === 'string' &&
    (/^08/.test(e.code) || ['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(e.code))
  ) {
    return true;
  }
  return (
    typeof e.message === 'string' && /Connection terminated|timeout exceeded when trying to connect/i.test(e.message)
  );
}

export function toErrorResponse(err: unknown): { status: number; code: ErrorCode | 'internal'; message: string } {
  if (err instanceof ServiceError) return { status: err.status, code: err.code, message: err.message };
  const fe = err as Partial<FastifyError>;
  if (fe.validation) {
    const where = fe.validationContext ? `${fe.validationContext}` : 'request';
    return { status: 400, code: 'invalid_request', message: `Invalid ${where}: ${fe.message ?? 'bad input'}` };
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { status, code: CODE_FOR_STATUS[status] ?? 'invalid_request', message: fe.message ?? 'Bad request' };
  }
  if (isDatabaseUnavailable(err))
    return { status: 503, code: 'unavailable', message: 'The database is unreachable; retry shortly' };
  return { status: 500, code: 'internal', message: 'Internal error' };
}

export function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, code, message } = toErrorResponse(err);
  if (status >= 500) request.log.error({ err }, 'request failed');
  if (status === 503 || status === 429) void reply.header('retry-after', '1');
  return reply
    .status(status)
    .type('application/json')
    .send(errorBody(code as ErrorCode, message));
}

/**
 * Bearer-token authentication for HTTP. Routes that write declare `preHandler: requireUser`; the user they act
 * as is always the token's owner, never a field of the request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.js';
import type { Authenticator } from '../users/authenticator.js';
import type { User } from '../users/user-store.js';
import type { RateLimiter } from '../users/rate-limiter.js';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
  }
}

/** A preHandler that lets the request through or throws a ServiceError. */
export type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function currentUser(request: FastifyRequest): User {
  if (!request.user) throw new ServiceError('unauthorized', 'A bearer token is required');
  return request.user;
}

export function makeRequireUser(authenticator: Authenticator): Guard {
  return async function requireUser(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const user = await authenticator.authenticate(bearerToken(request.headers.authorization));
    if (!user) throw new ServiceError('unauthorized', 'A valid bearer token is required');
    request.user = user;
  };
}

/** For command routes: authenticated and within the user's command rate. */
export function makeRequireCommandingUser(authenticator: Authenticator, limiter: RateLimiter): Guard {
  const requireUser = makeRequireUser(authenticator);
  return async function requireCommandingUser(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    await requireUser(request, reply);
    if (!limiter.take(currentUser(request).userId)) {
      throw new ServiceError('rate_limited', 'Too many commands; slow down');
    }
  };
}

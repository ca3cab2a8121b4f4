/** Operator routes under /v1/admin: read models and verification. They need the OPERATOR_TOKEN. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ProjectionManager } from '../../projections/projection-manager.js';
import type { Db } from '../db/database.js';
import { ServiceError } from '../errors.js';
import { verifyAll } from '../ops/verify-all.js';
import { bearerToken } from './auth.js';
import { ErrorResponse } from './schemas.js';

export interface AdminRouteDeps {
  readonly db: Db;
  readonly projections: ProjectionManager;
  readonly operatorToken: string | undefined;
}

const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse };

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const adminRoutes: FastifyPluginAsyncTypebox<AdminRouteDeps> = async (app, deps) => {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const token = bearerToken(request.headers.authorization);
    if (!deps.operatorToken)
      throw new ServiceError('unauthorized', 'Operator routes are off: OPERATOR_TOKEN is not set');
    if (!token || !sameSecret(token, deps.operatorToken))
      throw new ServiceError('unauthorized', 'The operator token is required');
  });

  app.get(
    '/v1/admin/projections',
    {
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }],
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                name: Type.String(),
                version: Type.Integer(),
                status: Type.String(),
                position: Type.Integer(),
                transactionId: Type.String(),
                lagEvents: Type.Integer(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async () => ({
      items: (await deps.projections.status()).map((p) => ({
        name: p.name,
        version: p.version,
        status: p.status,
        position: p.position.position,
        transactionId: p.position.xid,
        lagEvents: p.lagEvents,
      })),
    }),
  );

  app.post(
    '/v1/admin/projections/:name/rebuild',
    {
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }],
        params: Type.Object({ name: Type.String({ maxLength: 64 }) }),
        response: {
          202: Type.Object({ name: Type.String(), version: Type.Integer(), status: Type.String() }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      if (!deps.projections.names.includes(name)) throw new ServiceError('not_found', `No projection named ${name}`);
      const { version, done } = await deps.projections.rebuild(name);
      done.catch((err: unknown) => request.log.error({ err, projection: name }, 'rebuild failed'));
      return reply.status(202).send({ name, version, status: 'rebuilding' });
    },
  );

  app.get(
    '/v1/admin/verify',
    {
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }],
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            events: Type.Integer(),
            checks: Type.Array(Type.Object({ name: Type.String(), ok: Type.Boolean(), detail: Type.String() })),
          }),
          ...errors,
        },
      },
    },
    async () => verifyAll(deps.db),
  );
};

/**
 * buildApp: the HTTP application with every route, schema and error mapping. It never listens and owns no
 * resources; server.ts wires the dependencies and tests pass their own.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyPluginAsync, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { AuctionService } from './auctions/auction-service.js';
import type { Db } from './db/database.js';
import { errorBody } from './errors.js';
import { makeRequireCommandingUser, makeRequireUser } from './http/auth.js';
import { auctionRoutes } from './http/auction-routes.js';
import { sendError } from './http/error-handler.js';
import { type ReadinessReport, opsRoutes } from './http/ops-routes.js';
import { userRoutes } from './http/user-routes.js';
import { validatorCompiler } from './http/validation.js';
import { walletRoutes } from './http/wallet-routes.js';
import type { Metrics } from './metrics.js';
import type { Authenticator } from './users/authenticator.js';
import type { RateLimiter } from './users/rate-limiter.js';
import type { WalletService } from './wallets/wallet-service.js';

export interface AppDeps {
  readonly log: Logger;
  readonly db: Db;
  readonly auctions: AuctionService;
  readonly wallets: WalletService;
  readonly authenticator: Authenticator;
  readonly limiter: RateLimiter;
  readonly metrics: Metrics;
  readonly register: (displayName: string) => Promise<{ userId: string; token: string }>;
  readonly readiness: () => Promise<ReadinessReport>;
  /** Log every request (at info); errors are logged regardless. */
  readonly logRequests?: boolean;
  /** Further routes (the WebSocket gateway, operator routes) registered after the core ones. */
  readonly plugins?: readonly FastifyPluginAsync[];
}

export const BODY_LIMIT_BYTES = 1_048_576;

/** The web page's files: next to src/ when run from the sources, next to dist/ when built. */
function publicDirectory(): string {
  for (const up of ['..', '../..']) {
    const dir = path.resolve(import.meta.dirname, up, 'public');
    if (existsSync(path.join(dir, 'index.html'))) return dir;
  }
  return path.resolve('public');
}

/** The page loads nothing from elsewhere and runs no inline code. */
const PAGE_POLICY =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export async function buildApp(deps: AppDeps) {
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    logController: new LogController({ disableRequestLogging: !(deps.logRequests ?? true) }),
    genReqId: () => randomUUID(),
    // Bad URLs and oversized parameters go through the same error format as everything else.
    frameworkErrors: (err, request, reply) => {
      void sendError(err, request, reply);
    },
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // The API speaks JSON only: anything else is 415, not a string body that fails validation later.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('not_found', `No route for ${request.method} ${request.url.split('?')[0] ?? ''}`)),
  );
  app.decorateRequest('user', null);

  // The request id, taken from X-Request-Id or generated, goes back to the caller and into every log line.
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpSeconds.observe(
      { method: request.method, route, status: `${Math.floor(reply.statusCode / 100)}xx` },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Live auction bidding service',
        version: '1.0.0',
        description: 'Amounts are integer minor units. Errors are {"error": {"code", "message"}}.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const requireUser = makeRequireUser(deps.authenticator);
  const requireCommandingUser = makeRequireCommandingUser(deps.authenticator, deps.limiter);

  await app.register(opsRoutes, { metrics: deps.metrics, readiness: deps.readiness });
  await app.register(userRoutes, { db: deps.db, register: deps.register, requireUser });
  await app.register(walletRoutes, { db: deps.db, wallets: deps.wallets, requireUser, requireCommandingUser });
  await app.register(auctionRoutes, { db: deps.db, auctions: deps.auctions, requireCommandingUser });
  for (const plugin of deps.plugins ?? []) await app.register(plugin);

  // The web page and its assets; anything else falls through to the JSON 404.
  await app.register(fastifyStatic, {
    root: publicDirectory(),
    prefix: '/',
    cacheControl: false,
    setHeaders: (res, file) => {
      if (file.endsWith('.html')) void res.header('content-security-policy', PAGE_POLICY);
    },
  });

  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

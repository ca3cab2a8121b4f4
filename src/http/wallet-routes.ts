/** HTTP routes for a user's own wallet. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listLedger } from '../../projections/wallet-ledger.js';
import type { Db } from '../db/database.js';
import type { WalletService } from '../wallets/wallet-service.js';
import { type Guard, currentUser } from './auth.js';
import {
  AmountBody,
  Cursor,
  ErrorResponse,
  Id,
  IdempotencyHeaders,
  Limit,
  Timestamp,
  WalletResponse,
} from './schemas.js';

export interface WalletRouteDeps {
  readonly db: Db;
  readonly wallets: WalletService;
  readonly requireUser: Guard;
  readonly requireCommandingUser: Guard;
}

const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse };
const secured = [{ bearer: [] as string[] }];

const LedgerEntry = Type.Object({
  type: Type.String(),
  reason: Type.String(),
  amount: Type.Integer(),
  available: Type.Integer(),
  held: Type.Integer(),
  auctionId: Type.Optional(Id),
  at: Timestamp,
});

export const walletRoutes: FastifyPluginAsyncTypebox<WalletRouteDeps> = async (app, deps) => {
  app.get(
    '/v1/wallet',
    {
      preHandler: deps.requireUser,
      schema: { tags: ['wallet'], security: secured, response: { 200: WalletResponse, ...errors } },
    },
    async (request) => deps.wallets.balance(currentUser(request).userId),
  );

  for (const [path, move] of [
    ['/v1/wallet/deposits', 'deposit'],
    ['/v1/wallet/withdrawals', 'withdraw'],
  ] as const) {
    app.post(
      path,
      {
        preHandler: deps.requireCommandingUser,
        schema: {
          tags: ['wallet'],
          security: secured,
          headers: IdempotencyHeaders,
          body: AmountBody,
          response: { 201: WalletResponse, ...errors },
        },
      },
      async (request, reply) => {
        const balance = await deps.wallets[move](
          currentUser(request).userId,
          request.body.amount,
          request.headers['idempotency-key'],
        );
        return reply.status(201).send(balance);
      },
    );
  }

  app.get(
    '/v1/wallet/ledger',
    {
      preHandler: deps.requireUser,
      schema: {
        tags: ['wallet'],
        security: secured,
        querystring: Type.Object({ cursor: Type.Optional(Cursor), limit: Limit }),
        response: {
          200: Type.Object({ entries: Type.Array(LedgerEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors,
        },
      },
    },
    async (request) => listLedger(deps.db, currentUser(request).userId, request.query),
  );
};

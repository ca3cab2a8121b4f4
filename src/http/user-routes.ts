/** HTTP routes for users: registration, who am I, and my bids. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listMyBids } from '../../projections/user-bids.js';
import type { Db } from '../db/database.js';
import { type Guard, currentUser } from './auth.js';
import { Cursor, ErrorResponse, Id, Limit, MeResponse, RegisterBody, RegisterResponse, Timestamp } from './schemas.js';

export interface UserRouteDeps {
  readonly db: Db;
  readonly register: (displayName: string) => Promise<{ userId: string; token: string }>;
  readonly requireUser: Guard;
}

const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse };
const secured = [{ bearer: [] as string[] }];

const MyBid = Type.Object({
  auctionId: Id,
  title: Type.String(),
  status: Type.String(),
  state: Type.Enum(['leading', 'outbid', 'won', 'lost']),
  currentPrice: Type.Union([Type.Integer(), Type.Null()]),
  finalPrice: Type.Union([Type.Integer(), Type.Null()]),
  myMaxAmount: Type.Integer(),
  bidCount: Type.Integer(),
  endsAt: Timestamp,
  lastBidAt: Timestamp,
});

export const userRoutes: FastifyPluginAsyncTypebox<UserRouteDeps> = async (app, deps) => {
  app.post(
    '/v1/users',
    { schema: { tags: ['users'], body: RegisterBody, response: { 201: RegisterResponse, ...errors } } },
    async (request, reply) => {
      const { userId, token } = await deps.register(request.body.displayName.trim() || request.body.displayName);
      return reply.status(201).send({ userId, token });
    },
  );

  app.get(
    '/v1/me',
    {
      preHandler: deps.requireUser,
      schema: { tags: ['users'], security: secured, response: { 200: MeResponse, ...errors } },
    },
    async (request) => currentUser(request),
  );

  app.get(
    '/v1/me/bids',
    {
      preHandler: deps.requireUser,
      schema: {
        tags: ['users'],
        security: secured,
        querystring: Type.Object({ cursor: Type.Optional(Cursor), limit: Limit }),
        response: {
          200: Type.Object({ items: Type.Array(MyBid), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors,
        },
      },
    },
    async (request) => listMyBids(deps.db, currentUser(request).userId, request.query),
  );
};

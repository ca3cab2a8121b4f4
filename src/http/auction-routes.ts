/** HTTP routes for auctions: create, list, read, bid, buy now, cancel, history and events. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listAuctions } from '../../projections/auction-summaries.js';
import { listBids } from '../../projections/bid-history.js';
import type { AuctionService } from '../auctions/auction-service.js';
import { auctionView } from '../auctions/public-view.js';
import type { Db } from '../db/database.js';
import { ServiceError } from '../errors.js';
import { isUuid } from '../ids.js';
import { type Guard, currentUser } from './auth.js';
import {
  AuctionParams,
  AuctionResponse,
  BidResponse,
  BuyNowBody,
  BuyNowResponse,
  CreateAuctionBody,
  Cursor,
  ErrorResponse,
  FreeText,
  EventsQuery,
  EventsResponse,
  Id,
  Limit,
  PlaceBidBody,
  Timestamp,
} from './schemas.js';

export interface AuctionRouteDeps {
  readonly db: Db;
  readonly auctions: AuctionService;
  readonly requireCommandingUser: Guard;
}

/** An id that is not a UUID names no auction: answer 404 without asking the database. */
export function auctionIdOf(params: { id: string }): string {
  if (!isUuid(params.id)) throw new ServiceError('not_found', 'No such auction');
  return params.id.toLowerCase();
}

const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse };
const secured = [{ bearer: [] as string[] }];

export const auctionRoutes: FastifyPluginAsyncTypebox<AuctionRouteDeps> = async (app, deps) => {
  app.post(
    '/v1/auctions',
    {
      preHandler: deps.requireCommandingUser,
      schema: {
        tags: ['auctions'],
        security: secured,
        body: CreateAuctionBody,
        response: { 201: AuctionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const state = await deps.auctions.create(currentUser(request).userId, {
        title: b.title,
        description: b.description,
        startingPrice: b.startingPrice,
        minIncrement: b.minIncrement,
        reservePrice: b.reservePrice,
        buyNowPrice: b.buyNowPrice,
        startsAt: b.startsAt === undefined ? undefined : Date.parse(b.startsAt),
        endsAt: Date.parse(b.endsAt),
        softClose: b.softClose,
      });
      return reply.status(201).send(auctionView(state));
    },
  );

  app.get(
    '/v1/auctions',
    {
      schema: {
        tags: ['auctions'],
        querystring: Type.Object({
          status: Type.Enum(['scheduled', 'open', 'closed', 'cancelled'], { default: 'open' }),
          q: Type.Optional(FreeText({ maxLength: 200 })),
          sort: Type.Enum(['ending_soon', 'newest', 'price_asc', 'price_desc'], { default: 'ending_soon' }),
          cursor: Type.Optional(Cursor),
          limit: Limit,
        }),
        response: {
          200: Type.Object({
            items: Type.Array(AuctionResponse),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      return listAuctions(deps.db, {
        status: q.status,
        q: q.q,
        sort: q.sort,
        cursor: q.cursor,
        limit: q.limit,
      });
    },
  );

  app.get(
    '/v1/auctions/:id',
    { schema: { tags: ['auctions'], params: AuctionParams, response: { 200: AuctionResponse, ...errors } } },
    async (request) => auctionView(await deps.auctions.get(auctionIdOf(request.params))),
  );

  app.get(
    '/v1/auctions/:id/bids',
    {
      schema: {
        tags: ['auctions'],
        params: AuctionParams,
        querystring: Type.Object({ cursor: Type.Optional(Cursor), limit: Limit }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                seq: Type.Integer(),
                bidderId: Id,
                currentPrice: Type.Integer(),
                leaderId: Id,
                reserveMet: Type.Boolean(),
                at: Timestamp,
              }),
            ),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const id = auctionIdOf(request.params);
      await deps.auctions.get(id);
      return listBids(deps.db, id, request.query);
    },
  );

  app.get(
    '/v1/auctions/:id/events',
    {
      schema: {
        tags: ['auctions'],
        params: AuctionParams,
        querystring: EventsQuery,
        response: { 200: EventsResponse, ...errors },
      },
    },
    async (request) => {
      const id = auctionIdOf(request.params);
      return { items: await deps.auctions.events(id, request.query.after, request.query.limit) };
    },
  );

  app.post(
    '/v1/auctions/:id/bids',
    {
      preHandler: deps.requireCommandingUser,
      schema: {
        tags: ['bidding'],
        security: secured,
        params: AuctionParams,
        body: PlaceBidBody,
        response: { 201: BidResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { maxAmount, commandId } = request.body;
      const answer = await deps.auctions.placeBid(
        currentUser(request).userId,
        auctionIdOf(request.params),
        maxAmount,
        commandId,
      );
      return reply.status(201).send(answer);
    },
  );

  app.post(
    '/v1/auctions/:id/buy-now',
    {
      preHandler: deps.requireCommandingUser,
      schema: {
        tags: ['bidding'],
        security: secured,
        params: AuctionParams,
        body: BuyNowBody,
        response: { 201: BuyNowResponse, ...errors },
      },
    },
    async (request, reply) => {
      const answer = await deps.auctions.buyNow(
        currentUser(request).userId,
        auctionIdOf(request.params),
        request.body.commandId,
      );
      return reply.status(201).send(answer);
    },
  );

  app.post(
    '/v1/auctions/:id/cancel',
    {
      preHandler: deps.requireCommandingUser,
      schema: {
        tags: ['auctions'],
        security: secured,
        params: AuctionParams,
        response: { 200: AuctionResponse, ...errors },
      },
    },
    async (request) =>
      auctionView(await deps.auctions.cancel(currentUser(request).userId, auctionIdOf(request.params))),
  );
};

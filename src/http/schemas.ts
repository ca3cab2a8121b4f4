/**
 * TypeBox schemas at the HTTP edge: requests are validated against them and responses serialised through them
 * (so a field not declared here can never leak).
 */
import { Type, type Static } from 'typebox';

/** Money: a JSON number that is a safe integer, > 0. Strings, floats and anything beyond 2^53 - 1 are refused. */
export const Amount = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units' });
export const Balance = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const Id = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time' });
/** No control characters: ids travel into SQL text on the bidding path, where a NUL would cut a statement short. */
const PRINTABLE = '^[^\\u0000-\\u001F\\u007F]+$';

/**
 * Free text (titles, names, searches) may hold any character PostgreSQL can store: everything but NUL, which
 * neither text columns nor jsonb accept.
 */
const STORABLE = '^[^\\u0000]*$';
export const FreeText = (options: { minLength?: number; maxLength: number }) =>
  Type.String({ ...options, pattern: STORABLE });

export const CommandId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: PRINTABLE,
  description: 'Client-chosen id; a retry with the same id returns the first answer',
});
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

export const AuctionParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const SoftCloseSchema = Type.Object(
  {
    windowSeconds: Type.Integer({ minimum: 0, maximum: 86_400 }),
    extensionSeconds: Type.Integer({ minimum: 0, maximum: 86_400 }),
  },
  { additionalProperties: false },
);

export const CreateAuctionBody = Type.Object(
  {
    title: FreeText({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(FreeText({ maxLength: 10_000 })),
    startingPrice: Amount,
    minIncrement: Type.Optional(Amount),
    reservePrice: Type.Optional(Amount),
    buyNowPrice: Type.Optional(Amount),
    startsAt: Type.Optional(Timestamp),
    endsAt: Timestamp,
    softClose: Type.Optional(SoftCloseSchema),
  },
  { additionalProperties: false },
);
export type CreateAuctionBody = Static<typeof CreateAuctionBody>;

export const AuctionResponse = Type.Object({
  id: Id,
  sellerId: Id,
  title: Type.String(),
  description: Type.String(),
  status: Type.Union([
    Type.Literal('scheduled'),
    Type.Literal('open'),
    Type.Literal('closed'),
    Type.Literal('cancelled'),
  ]),
  startingPrice: Type.Integer(),
  currentPrice: Nullable(Type.Integer()),
  minIncrement: Type.Integer(),
  fixedIncrement: Nullable(Type.Integer()),
  nextMinimumBid: Type.Integer(),
  leaderId: Nullable(Id),
  bidCount: Type.Integer(),
  reserveMet: Type.Boolean(),
  buyNowPrice: Nullable(Type.Integer()),
  startsAt: Timestamp,
  endsAt: Timestamp,
  softClose: SoftCloseSchema,
  createdAt: Timestamp,
  closedAt: Nullable(Timestamp),
  closeReason: Nullable(Type.Union([Type.Literal('ended'), Type.Literal('buy_now')])),
  winnerId: Nullable(Id),
  finalPrice: Nullable(Type.Integer()),
  version: Type.Integer(),
});

export const PlaceBidBody = Type.Object({ maxAmount: Amount, commandId: CommandId }, { additionalProperties: false });
export const BidResponse = Type.Object({
  leading: Type.Boolean(),
  currentPrice: Type.Integer(),
  leaderId: Id,
  seq: Type.Integer(),
});

export const BuyNowBody = Type.Object({ commandId: CommandId }, { additionalProperties: false });
export const BuyNowResponse = Type.Object({ winnerId: Id, finalPrice: Type.Integer(), seq: Type.Integer() });

export const AmountBody = Type.Object({ amount: Amount }, { additionalProperties: false });
export const WalletResponse = Type.Object({ available: Balance, held: Balance });
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: PRINTABLE })),
});

export const RegisterBody = Type.Object(
  { displayName: FreeText({ minLength: 1, maxLength: 80 }) },
  { additionalProperties: false },
);
export const RegisterResponse = Type.Object({ userId: Id, token: Type.String() });
export const MeResponse = Type.Object({ userId: Id, displayName: Type.String() });

export const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });
export const Cursor = Type.String({ maxLength: 512 });

export const EventsQuery = Type.Object({
  after: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
});
export const EventItem = Type.Object(
  { seq: Type.Integer(), type: Type.String(), at: Timestamp },
  { additionalProperties: true },
);
export const EventsResponse = Type.Object({ items: Type.Array(EventItem) });

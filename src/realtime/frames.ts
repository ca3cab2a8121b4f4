/**
 * WebSocket frames (SPEC §5): what clients may send, checked against TypeBox schemas as strictly as HTTP bodies,
 * and the frames the server sends.
 */
import { Ajv } from 'ajv';
import { Type, type Static } from 'typebox';
import type { ErrorCode } from '../errors.js';
import { Amount, CommandId } from '../http/schemas.js';

const AuctionId = Type.String({ minLength: 1, maxLength: 64 });

export const ClientFrame = Type.Union([
  Type.Object(
    {
      type: Type.Literal('subscribe'),
      auctionId: AuctionId,
      since: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('unsubscribe'), auctionId: AuctionId }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('bid'), auctionId: AuctionId, maxAmount: Amount, commandId: CommandId },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('buy_now'), auctionId: AuctionId, commandId: CommandId },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('auth'), token: Type.String({ minLength: 1, maxLength: 512 }) },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('ping') }, { additionalProperties: false }),
]);
export type ClientFrame = Static<typeof ClientFrame>;

const validate = new Ajv({ strict: false, coerceTypes: false, allErrors: false }).compile(ClientFrame as object);
const KNOWN_TYPES = new Set(['subscribe', 'unsubscribe', 'bid', 'buy_now', 'auth', 'ping']);

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; message: string; commandId?: string };

/** Parses and checks one text frame; never throws. */
export function parseClientFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'A frame must be a JSON object' };
  }
  const type = (value as { type?: unknown } | null)?.type;
  const commandId = (value as { commandId?: unknown } | null)?.commandId;
  const echo = typeof commandId === 'string' ? { commandId } : {};
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) return { ok: false, message: 'Unknown frame type', ...echo };
  if (!validate(value)) return { ok: false, message: `Invalid ${type} frame`, ...echo };
  return { ok: true, frame: value as ClientFrame };
}

export const errorFrame = (
  code: ErrorCode | 'internal',
  message: string,
  extra: Record<string, unknown> = {},
): string => JSON.stringify({ type: 'error', code, message, ...extra });

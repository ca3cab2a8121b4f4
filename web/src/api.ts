/** The HTTP API, with the session's token; failures become ApiErrors carrying the stable code. */
import { currentSession } from './session.js';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const session = currentSession();
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(session ? { authorization: `Bearer ${session.token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError('unavailable', 'network error', 0);
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(error?.code ?? 'unavailable', error?.message ?? res.statusText, res.status);
  }
  return json as T;
}

export function newCommandId(): string {
  return crypto.randomUUID();
}

export interface AuctionView {
  id: string;
  sellerId: string;
  title: string;
  description: string;
  status: 'scheduled' | 'open' | 'closed' | 'cancelled';
  startingPrice: number;
  currentPrice: number | null;
  minIncrement: number;
  fixedIncrement: number | null;
  nextMinimumBid: number;
  leaderId: string | null;
  bidCount: number;
  reserveMet: boolean;
  buyNowPrice: number | null;
  startsAt: string;
  endsAt: string;
  closedAt: string | null;
  closeReason: 'ended' | 'buy_now' | null;
  winnerId: string | null;
  finalPrice: number | null;
  version: number;
}

export interface Balance {
  available: number;
  held: number;
}

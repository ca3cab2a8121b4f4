/**
 * The stable error codes of the public contract (SPEC §4) and the one place they map to HTTP statuses.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  auction_not_open: 409,
  auction_closed: 409,
  bid_too_low: 409,
  insufficient_funds: 409,
  seller_cannot_bid: 403,
  buy_now_unavailable: 409,
  cannot_cancel: 409,
  rate_limited: 429,
  busy: 503,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Rejections the auction and wallet rules can answer; the rest belong to the edges. */
export type RejectionCode = Extract<
  ErrorCode,
  | 'invalid_request'
  | 'forbidden'
  | 'not_found'
  | 'auction_not_open'
  | 'auction_closed'
  | 'bid_too_low'
  | 'insufficient_funds'
  | 'seller_cannot_bid'
  | 'buy_now_unavailable'
  | 'cannot_cancel'
>;

export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
}

/** An error with a public code; anything else thrown is an internal failure and is answered as such. */
export class ServiceError extends Error {
  override readonly name: string = 'ServiceError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly statusOverride?: number,
  ) {
    super(message);
  }

  get status(): number {
    return this.statusOverride ?? ERROR_STATUS[this.code];
  }

  static from(rejection: Rejection): ServiceError {
    return new ServiceError(rejection.code, rejection.message);
  }
}

export class BusyError extends ServiceError {
  override readonly name = 'BusyError';
  constructor(message = 'The auction is taking too many commands right now; retry shortly') {
    super('busy', message);
  }
}

export class UnavailableError extends ServiceError {
  override readonly name = 'UnavailableError';
  constructor(message = 'The service is shutting down or its database is unreachable') {
    super('unavailable', message);
  }
}

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

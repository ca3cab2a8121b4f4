/**
 * A small client for the HTTP API, over app.inject (no socket) or over real HTTP, with the few steps most tests
 * repeat: register, fund, open an auction.
 */
import http from 'node:http';
import type { RunningService } from '../../src/service.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever JSON came back
export interface Response<T = any> {
  readonly status: number;
  readonly body: T;
}

export interface RequestOptions {
  readonly token?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Sent as is, not as JSON (for malformed-body tests). */
  readonly raw?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export type Api = <T = any>(method: string, path: string, options?: RequestOptions) => Promise<Response<T>>;

function headersFor(options: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] ??= 'application/json';
  return headers;
}

export function injectApi(service: RunningService): Api {
  return async <T>(method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> => {
    const res = await service.app.inject({
      method: method as 'GET',
      url: path,
      headers: headersFor(options),
      ...(options.raw !== undefined
        ? { payload: options.raw }
        : options.body !== undefined
          ? { payload: JSON.stringify(options.body) }
          : {}),
    });
    return { status: res.statusCode, body: (res.body === '' ? null : tryJson(res.body)) as T };
  };
}

/** Over real sockets, with node:http and keep-alive (fetch costs several times more CPU per request). */
export function httpApi(baseUrl: string): Api {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const base = new URL(baseUrl);
  return <T>(method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> =>
    new Promise((resolve, reject) => {
      const payload = options.raw ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
      const req = http.request(
        { host: base.hostname, port: base.port, path, method, agent, headers: headersFor(options) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body: (text === '' ? null : tryJson(text)) as T });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface TestUser {
  readonly userId: string;
  readonly token: string;
}

export async function registerUser(api: Api, displayName = 'bidder'): Promise<TestUser> {
  const res = await api('POST', '/v1/users', { body: { displayName } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as TestUser;
}

export async function deposit(api: Api, user: TestUser, amount: number): Promise<void> {
  const res = await api('POST', '/v1/wallet/deposits', { token: user.token, body: { amount } });
  if (res.status !== 201) throw new Error(`deposit failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function fundedUser(api: Api, amount: number, displayName = 'bidder'): Promise<TestUser> {
  const user = await registerUser(api, displayName);
  if (amount > 0) await deposit(api, user, amount);
  return user;
}

export interface AuctionFields {
  title?: string;
  startingPrice?: number;
  minIncrement?: number;
  reservePrice?: number;
  buyNowPrice?: number;
  startsAt?: string;
  endsAt?: string;
  softClose?: { windowSeconds: number; extensionSeconds: number };
  description?: string;
}

export async function openAuction(
  api: Api,
  seller: TestUser,
  fields: AuctionFields = {},
): Promise<{ id: string; title: string; status: string }> {
  const res = await api('POST', '/v1/auctions', {
    token: seller.token,
    body: { title: 'Test lot', startingPrice: 100, endsAt: new Date(Date.now() + 3_600_000).toISOString(), ...fields },
  });
  if (res.status !== 201) throw new Error(`create auction failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

let commandCounter = 0;
export const nextCommandId = (prefix = 'cmd'): string => `${prefix}-${process.pid}-${++commandCounter}`;

/** Polls until `check` returns a value (not undefined) or the deadline passes; for eventually consistent reads. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

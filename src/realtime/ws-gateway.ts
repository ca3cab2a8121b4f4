/**
 * GET /v1/ws: live auction rooms and bidding over WebSocket (SPEC §5).
 *
 * A socket may watch any auction; it must authenticate (`?token=` or an `auth` frame) to bid, to buy and to
 * hear its wallet. A frame that is not JSON, or not a known frame, is answered with an `invalid_request` error
 * and the socket stays open. A socket whose send buffer grows past the limit is closed with 4008 and can come
 * back with `since`. On shutdown sockets are closed with 1001.
 */
import websocket from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import type { AuctionService } from '../auctions/auction-service.js';
import { ServiceError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { Authenticator } from '../users/authenticator.js';
import type { RateLimiter } from '../users/rate-limiter.js';
import type { User } from '../users/user-store.js';
import { type ClientFrame, errorFrame, parseClientFrame } from './frames.js';
import type { Member } from './room.js';
import type { Rooms } from './rooms.js';
import { TurnCork } from './turn-cork.js';
import type { WalletChannels } from './wallet-channels.js';

export const SLOW_SOCKET_CLOSE_CODE = 4008;

export interface GatewayDeps {
  readonly rooms: Rooms;
  readonly walletChannels: WalletChannels;
  readonly auctions: AuctionService;
  readonly authenticator: Authenticator;
  readonly limiter: RateLimiter;
  readonly log: Logger;
  /** Bytes a socket may have waiting to be sent before it is closed with 4008. */
  readonly maxBufferedBytes?: number;
  readonly heartbeatMillis?: number;
  readonly observe?: { connections(delta: number): void; slowClosed(): void };
}

const OPEN = 1;

class Connection implements Member {
  private user: User | null = null;
  private readonly watching = new Set<string>();
  /** Subscription and auth frames, in arrival order; commands start after what is queued here. */
  private ordered: Promise<void> = Promise.resolve();
  alive = true;

  constructor(
    private readonly socket: WebSocket,
    /** The TCP socket under `socket`: corked for a turn so that frames sent in one turn leave together. */
    private readonly stream: Writable,
    private readonly cork: TurnCork,
    private readonly deps: GatewayDeps,
  ) {}

  send(frame: string | Buffer): boolean {
    if (this.socket.readyState !== OPEN) return false;
    if (this.socket.bufferedAmount > (this.deps.maxBufferedBytes ?? 1_048_576)) {
      this.deps.observe?.slowClosed();
      this.socket.close(SLOW_SOCKET_CLOSE_CODE, 'too far behind: reconnect and subscribe with since');
      return false;
    }
    this.cork.hold(this.stream);
    // Bytes are a text frame too (JSON encoded once for a whole room), not binary as ws would guess.
    this.socket.send(frame, { binary: false });
    return true;
  }

  async authenticate(token: string): Promise<boolean> {
    const user = await this.deps.authenticator.authenticate(token);
    if (!user) {
      this.send(errorFrame('unauthorized', 'That token is not valid'));
      return false;
    }
    if (this.user && this.user.userId !== user.userId) this.deps.walletChannels.leave(this.user.userId, this);
    this.user = user;
    this.deps.walletChannels.join(user.userId, this);
    this.send(JSON.stringify({ type: 'authenticated', userId: user.userId }));
    return true;
  }

  /**
   * Takes one frame. Subscription and auth frames run one after another in arrival order; bids and buy-now run
   * side by side (a client may pipeline them), each after the frames queued before it, so a bid sent right
   * after `auth` is made as that user.
   */
  receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (isBinary) {
      this.send(errorFrame('invalid_request', 'Frames are JSON text'));
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      this.send(
        errorFrame(
          'invalid_request',
          parsed.message,
          parsed.commandId === undefined ? {} : { commandId: parsed.commandId },
        ),
      );
      return;
    }
    const run = this.ordered.then(() => this.run(parsed.frame));
    if (parsed.frame.type !== 'bid' && parsed.frame.type !== 'buy_now') this.ordered = run;
  }

  private async run(frame: ClientFrame): Promise<void> {
    try {
      await this.handle(frame);
    } catch (err) {
      const about = {
        ...('commandId' in frame ? { commandId: frame.commandId } : {}),
        ...('auctionId' in frame ? { auctionId: frame.auctionId } : {}),
      };
      if (err instanceof ServiceError) {
        this.send(errorFrame(err.code, err.message, about));
      } else {
        this.deps.log.error({ err }, 'websocket frame failed');
        this.send(errorFrame('internal', 'Internal error', about));
      }
    }
  }

  private async handle(frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'ping':
        this.send('{"type":"pong"}');
        return;
      case 'auth':
        await this.authenticate(frame.token);
        return;
      case 'subscribe': {
        const auctionId = this.auctionIdOf(frame.auctionId);
        if (this.watching.has(auctionId)) this.deps.rooms.leave(auctionId, this);
        this.watching.add(auctionId);
        if (!(await this.deps.rooms.join(auctionId, this, frame.since))) {
          this.watching.delete(auctionId);
          throw new ServiceError('not_found', 'No such auction');
        }
        return;
      }
      case 'unsubscribe': {
        const auctionId = frame.auctionId.toLowerCase();
        this.watching.delete(auctionId);
        this.deps.rooms.leave(auctionId, this);
        this.send(JSON.stringify({ type: 'unsubscribed', auctionId }));
        return;
      }
      case 'bid':
      case 'buy_now': {
        const user = this.commandingUser();
        const auctionId = this.auctionIdOf(frame.auctionId);
        const result =
          frame.type === 'bid'
            ? await this.deps.auctions.placeBid(user.userId, auctionId, frame.maxAmount, frame.commandId)
            : await this.deps.auctions.buyNow(user.userId, auctionId, frame.commandId);
        this.send(JSON.stringify({ type: 'ack', commandId: frame.commandId, result }));
        return;
      }
    }
  }

  private commandingUser(): User {
    if (!this.user) throw new ServiceError('unauthorized', 'Authenticate first (?token= or an auth frame)');
    if (!this.deps.limiter.take(this.user.userId))
      throw new ServiceError('rate_limited', 'Too many commands; slow down');
    return this.user;
  }

  private auctionIdOf(id: string): string {
    if (!isUuid(id)) throw new ServiceError('not_found', 'No such auction');
    return id.toLowerCase();
  }

  closed(): void {
    for (const auctionId of this.watching) this.deps.rooms.leave(auctionId, this);
    this.watching.clear();
    if (this.user) this.deps.walletChannels.leave(this.user.userId, this);
  }
}

export function websocketGateway(deps: GatewayDeps): FastifyPluginAsync {
  return async (app) => {
    const connections = new Map<WebSocket, Connection>();
    const cork = new TurnCork();
    await app.register(websocket, {
      options: { maxPayload: 64 * 1024 },
      // Going away (1001): clients reconnect elsewhere, or here later, with `since`.
      preClose: (done) => {
        for (const socket of connections.keys()) socket.close(1001, 'server shutting down');
        done();
      },
    });

    const heartbeat = setInterval(() => {
      for (const [socket, connection] of connections) {
        if (!connection.alive) {
          socket.terminate();
          continue;
        }
        connection.alive = false;
        socket.ping();
      }
    }, deps.heartbeatMillis ?? 30_000);
    heartbeat.unref();
    app.addHook('onClose', async () => clearInterval(heartbeat));

    app.get(
      '/v1/ws',
      {
        websocket: true,
        schema: {
          tags: ['realtime'],
          querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 512 })) }),
        },
      },
      (socket, request) => {
        // The upgrade's TCP socket is the one the WebSocket writes to.
        const connection = new Connection(socket, request.socket, cork, deps);
        connections.set(socket, connection);
        deps.observe?.connections(1);
        const token = (request.query as { token?: string }).token;
        if (token) connection.receive(Buffer.from(JSON.stringify({ type: 'auth', token })), false);
        socket.on('message', (data, isBinary) => connection.receive(data, isBinary));
        socket.on('pong', () => {
          connection.alive = true;
        });
        socket.on('close', () => {
          connections.delete(socket);
          deps.observe?.connections(-1);
          connection.closed();
        });
      },
    );
  };
}

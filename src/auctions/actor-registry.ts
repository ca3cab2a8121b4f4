/**
 * Where auction actors live in this process: one per active auction, created on first use and passivated
 * after a quiet spell (their state is a snapshot in the stream header, so coming back costs one read).
 * Callers only see `send` and `state`; when auctions are spread over several nodes, this is the module that
 * learns to forward a command to the owner.
 */
import { UnavailableError } from '../errors.js';
import type { AuctionState } from './auction.js';
import { type ActorDeps, AuctionActor, type IncomingCommand } from './actor.js';
import type { Outcome } from './decide.js';
import type { CommandRouter } from './command-router.js';
import type { Idempotency } from './decide-batch.js';

export interface RegistryOptions {
  /** An actor with nothing to do for this long is dropped from memory. */
  readonly idleMillis: number;
}

export class ActorRegistry implements CommandRouter {
  private readonly actors = new Map<string, AuctionActor>();
  private accepting = true;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: ActorDeps,
    private readonly options: RegistryOptions,
  ) {
    this.sweeper = setInterval(() => this.passivateIdle(), Math.max(1000, options.idleMillis / 2));
    this.sweeper.unref();
  }

  get activeActors(): number {
    return this.actors.size;
  }

  mailboxDepths(): { total: number; max: number } {
    let total = 0;
    let max = 0;
    for (const actor of this.actors.values()) {
      total += actor.depth;
      max = Math.max(max, actor.depth);
    }
    return { total, max };
  }

  async send(
    auctionId: string,
    command: IncomingCommand,
    idempotency?: Idempotency,
    internal = false,
  ): Promise<Outcome> {
    if (!this.accepting) throw new UnavailableError();
    const actor = this.actorFor(auctionId);
    try {
      return await actor.tell(command, idempotency, internal);
    } finally {
      if (actor.missing) this.actors.delete(auctionId);
    }
  }

  async state(auctionId: string): Promise<AuctionState | null> {
    const actor = this.actorFor(auctionId);
    const state = await actor.current();
    if (state === null && actor.idleSince() !== null) this.actors.delete(auctionId);
    return state;
  }

  /** Stops taking commands and waits until every actor has answered what it holds. */
  async drain(): Promise<void> {
    this.accepting = false;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    await Promise.all([...this.actors.values()].map((a) => a.idle()));
  }

  passivateIdle(now = this.deps.clock.now()): number {
    let dropped = 0;
    for (const [id, actor] of this.actors) {
      const since = actor.idleSince();
      if (since !== null && now - since >= this.options.idleMillis) {
        this.actors.delete(id);
        dropped += 1;
      }
    }
    return dropped;
  }

  private actorFor(auctionId: string): AuctionActor {
    let actor = this.actors.get(auctionId);
    if (!actor) {
      actor = new AuctionActor(auctionId, this.deps);
      this.actors.set(auctionId, actor);
    }
    return actor;
  }
}

/**
 * Private wallet frames: each authenticated socket hears `{type:"wallet", available, held}` whenever its own
 * wallet changes. One bus subscription per user with sockets in this process; every wallet event carries the
 * balances after it, so only the newest version matters: older or repeated ones are dropped, and several
 * changes delivered together (one relay page) make one frame with the balances after the last.
 */
import { type Bus, walletSubjects } from '../bus/bus.js';
import type { WalletEventData } from '../wallets/wallet.js';
import type { Member } from './room.js';

interface Channel {
  readonly members: Set<Member>;
  readonly unsubscribe: () => void;
  lastVersion: number;
  /** Balances heard but not yet sent; sent once the current delivery is over. */
  pending: { available: number; held: number } | null;
}

export class WalletChannels {
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly bus: Bus) {}

  join(userId: string, member: Member): void {
    let channel = this.channels.get(userId);
    if (!channel) {
      const created: Channel = {
        members: new Set(),
        lastVersion: 0,
        pending: null,
        unsubscribe: this.bus.subscribe(walletSubjects(userId), ({ event }) => {
          if (event.version <= created.lastVersion) return;
          created.lastVersion = event.version;
          const { available, held } = event.data as WalletEventData;
          if (created.pending === null) queueMicrotask(() => send(created));
          created.pending = { available, held };
        }),
      };
      channel = created;
      this.channels.set(userId, channel);
    }
    channel.members.add(member);
  }

  leave(userId: string, member: Member): void {
    const channel = this.channels.get(userId);
    if (!channel) return;
    channel.members.delete(member);
    if (channel.members.size === 0) {
      channel.unsubscribe();
      this.channels.delete(userId);
    }
  }
}

function send(channel: Channel): void {
  const balances = channel.pending;
  channel.pending = null;
  if (!balances) return;
  const frame = JSON.stringify({ type: 'wallet', ...balances });
  for (const m of channel.members) if (!m.send(frame)) channel.members.delete(m);
}

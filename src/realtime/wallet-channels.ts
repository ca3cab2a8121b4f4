/**
 * Private wallet frames: each authenticated socket hears `{type:"wallet", available, held}` whenever its own
 * wallet changes. One bus subscription per user with sockets in this process; every wallet event carries the
 * balances after it, so only the newest version matters and older or repeated ones are dropped.
 */
import { type Bus, walletSubjects } from '../bus/bus.js';
import type { WalletEventData } from '../wallets/wallet.js';
import type { Member } from './room.js';

interface Channel {
  readonly members: Set<Member>;
  readonly unsubscribe: () => void;
  lastVersion: number;
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
        unsubscribe: this.bus.subscribe(walletSubjects(userId), ({ event }) => {
          if (event.version <= created.lastVersion) return;
          created.lastVersion = event.version;
          const { available, held } = event.data as WalletEventData;
          const frame = JSON.stringify({ type: 'wallet', available, held });
          for (const m of created.members) if (!m.send(frame)) created.members.delete(m);
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

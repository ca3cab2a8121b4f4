/** The rooms of this process: opened by the first member, closed when the last one leaves. */
import type { Member, Room, RoomOptions } from './room.js';
import { Room as RoomImpl } from './room.js';

export class Rooms {
  private readonly rooms = new Map<string, Room>();
  private readonly opening = new Map<string, Promise<Room>>();

  constructor(private readonly options: RoomOptions) {
    options.bus.onReconnect(() => {
      for (const room of this.rooms.values()) void room.resync();
    });
  }

  get count(): number {
    return this.rooms.size;
  }

  /** False when the auction does not exist. */
  async join(auctionId: string, member: Member, since: number | undefined): Promise<boolean> {
    const room = await this.roomFor(auctionId);
    const joined = await room.join(member, since);
    if (!joined && room.size === 0) this.drop(auctionId, room);
    return joined;
  }

  leave(auctionId: string, member: Member): void {
    const room = this.rooms.get(auctionId);
    if (!room) return;
    room.leave(member);
    if (room.size === 0) this.drop(auctionId, room);
  }

  closeAll(): void {
    for (const room of this.rooms.values()) room.close();
    this.rooms.clear();
  }

  private async roomFor(auctionId: string): Promise<Room> {
    const existing = this.rooms.get(auctionId);
    if (existing) return existing;
    let opening = this.opening.get(auctionId);
    if (!opening) {
      const room = new RoomImpl(auctionId, this.options);
      opening = room.open().then(() => {
        this.rooms.set(auctionId, room);
        return room;
      });
      opening.finally(() => this.opening.delete(auctionId)).catch(() => undefined);
      this.opening.set(auctionId, opening);
    }
    return opening;
  }

  private drop(auctionId: string, room: Room): void {
    if (this.rooms.get(auctionId) !== room) return;
    room.close();
    this.rooms.delete(auctionId);
  }
}

/** Where rooms read from: the auction's stream in PostgreSQL, and its writer for snapshots. */
import { toAuctionEvent } from '../auctions/auction-store.js';
import type { CommandRouter } from '../auctions/command-router.js';
import { auctionView, publicEvent } from '../auctions/public-view.js';
import type { BusEvent } from '../bus/bus.js';
import type { Db } from '../db/database.js';
import { readStream } from '../event-store/read-stream.js';
import { auctionStreamId, parseStreamId } from '../event-store/streams.js';
import type { RecordedEvent } from '../event-store/types.js';
import type { RoomSource, SeqFrame } from './room.js';

/** The one place an event frame is written: `{type:"event", auctionId, seq, event:{type, at, ...public}}`. */
export function eventFrame(auctionId: string, event: RecordedEvent): SeqFrame {
  const body = publicEvent(toAuctionEvent(event));
  return { seq: event.version, frame: JSON.stringify({ type: 'event', auctionId, seq: event.version, event: body }) };
}

export function roomSource(db: Db, router: CommandRouter): RoomSource {
  return {
    async eventsAfter(auctionId, after, limit) {
      const events = await readStream(db, auctionStreamId(auctionId), { afterVersion: after, limit });
      return events.map((e) => eventFrame(auctionId, e));
    },
    async snapshot(auctionId) {
      const state = await router.state(auctionId);
      return state ? { seq: state.version, auction: auctionView(state) } : null;
    },
    async currentSeq(auctionId) {
      const row = await db
        .selectFrom('streams')
        .select('version')
        .where('stream_id', '=', auctionStreamId(auctionId))
        .executeTakeFirst();
      return row?.version ?? null;
    },
    frameOf({ event }: BusEvent) {
      const ref = parseStreamId(event.streamId);
      return ref.kind === 'auction' ? eventFrame(ref.auctionId, event) : null;
    },
  };
}

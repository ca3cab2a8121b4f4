/**
 * Table types for kysely: the write side (event store, streams, wallets, users, command results).
 * Read-model tables live with their projections in projections/.
 */
import type { ColumnType, Generated } from 'kysely';

/** jsonb: written as a JSON string or value, read back parsed. */
export type Json = ColumnType<unknown, string, string>;

export interface StreamsTable {
  stream_id: string;
  version: number;
  /** When the stream's owner must wake by itself (an auction's open or close), null once nothing is due. */
  due_at: Date | null;
  /** The owner's state at `version`, so activating an actor is one read; `snapshot_schema` guards its shape. */
  snapshot: Json | null;
  snapshot_schema: number | null;
}

export interface EventsTable {
  global_position: Generated<number>;
  /** xid8, as text: the writing transaction, which orders readers (DESIGN.md §6). */
  transaction_id: Generated<string>;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  data: Json;
  occurred_at: Date;
}

export interface UsersTable {
  id: string;
  display_name: string;
  token_hash: Buffer;
  created_at: Generated<Date>;
}

export interface WalletsTable {
  user_id: string;
  available: number;
  held: number;
  /** Version of the stream `wallet-<user_id>`: the row is that stream's header and its lock. */
  version: number;
}

export interface CommandsTable {
  user_id: string;
  command_id: string;
  fingerprint: string;
  outcome: Json;
  created_at: Generated<Date>;
}

export interface WriteSideTables {
  streams: StreamsTable;
  events: EventsTable;
  users: UsersTable;
  wallets: WalletsTable;
  commands: CommandsTable;
}

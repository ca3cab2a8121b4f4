/**
 * What a read model is: a name, the tables it owns, how to create one version of them, and what a batch of
 * events from the log writes to them. The write runs in the same statement that moves the projection's
 * checkpoint (apply-batch.ts), so a batch is applied exactly once however often it is delivered.
 */
import type { RawBuilder } from 'kysely';
import type { Db } from '../src/db/database.js';
import type { RecordedEvent } from '../src/event-store/types.js';

/** The physical name of a projection table at a version; readers use the unversioned view of the live one. */
export const versioned = (table: string, version: number): string => `${table}_v${version}`;

export interface Projection {
  readonly name: string;
  /** Base table names; each version lives in `<base>_v<n>` and the live one is the view `<base>`. */
  readonly tables: readonly string[];
  /** Event types this projection reads; the rest are skipped before `apply`. */
  readonly eventTypes: ReadonlySet<string>;
  /** The tables of one version with their primary keys: what applying events needs. */
  createTables(db: Db, version: number): Promise<void>;
  /**
   * The secondary indexes readers need. A rebuild fills its tables first and builds these once, before it
   * swaps in: one sort per index instead of an index update per row.
   */
  createIndexes(db: Db, version: number): Promise<void>;
  /**
   * What applying `events` (of this projection's types, in log order) writes to a version's tables: one
   * data-modifying statement (an INSERT … SELECT, upserts included) whose SELECT is limited by `WHERE guard`,
   * or null when the batch changes nothing. `db` is for what the write must read first; the statement itself
   * runs later, with the checkpoint's move as its guard.
   */
  write(db: Db, events: readonly RecordedEvent[], version: number): Promise<BatchWrite | null>;
}

/** A data-modifying statement for one batch, given the condition under which it may write. */
export type BatchWrite = (guard: RawBuilder<unknown>) => RawBuilder<unknown>;

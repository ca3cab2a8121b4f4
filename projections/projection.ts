/**
 * What a read model is: a name, the tables it owns, how to create one version of them, and how to apply a
 * batch of events from the log to them. `apply` runs inside the transaction that also advances the
 * projection's checkpoint, so a batch is applied exactly once however often it is delivered.
 */
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
  apply(trx: Db, events: readonly RecordedEvent[], version: number): Promise<void>;
}

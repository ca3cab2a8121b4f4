/**
 * Set-based writes send their rows as one JSON parameter, read back by `json_to_recordset`: encoding one
 * JSON text is about half the work, in this process, of node-postgres' per-element encoding of one array per
 * column, and PostgreSQL reads either as fast. Replays are bound by this process, so it matters there most.
 */
import { type RawBuilder, sql } from 'kysely';

/** `json_to_recordset($1::json) AS x(<columns>)`: `columns` is SQL text written in code, never data. */
export function jsonRows(rows: readonly object[], columns: string): RawBuilder<unknown> {
  return sql`json_to_recordset(${JSON.stringify(rows)}::json) AS x(${sql.raw(columns)})`;
}

/** A timestamptz from a column of epoch milliseconds (exact: PostgreSQL keeps microseconds). */
export function fromEpochMs(column: string): RawBuilder<Date> {
  return sql<Date>`to_timestamp(${sql.ref(column)} / 1000.0)`;
}

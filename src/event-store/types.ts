/**
 * Events as the store sees them: a type, a JSON payload and a time, placed at a version of a stream.
 */
export interface EventToAppend {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  /** Epoch milliseconds: the domain time of the event, not the commit time. */
  readonly at: number;
}

/** A place in the whole log: the writing transaction, then the position within the table. */
export interface LogPosition {
  /** xid8 as a decimal string (it can exceed 2^53 in principle). */
  readonly xid: string;
  readonly position: number;
}

export const LOG_START: LogPosition = { xid: '0', position: 0 };

export interface RecordedEvent extends EventToAppend {
  readonly logPosition: LogPosition;
}

export function comparePositions(a: LogPosition, b: LogPosition): number {
  const ax = BigInt(a.xid);
  const bx = BigInt(b.xid);
  if (ax !== bx) return ax < bx ? -1 : 1;
  return a.position - b.position;
}

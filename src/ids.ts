/**
 * Identifiers: UUID version 7 (RFC 9562), time-ordered so that new rows land at the right edge of their
 * indexes and ids sort by creation.
 */
import { randomFillSync } from 'node:crypto';

// Random bytes are drawn in blocks: one system call per 256 ids rather than one per id (a batch of bids
// makes several ids per bid).
const POOL = Buffer.alloc(16 * 256);
let offset = POOL.length;

function randomSixteen(): Buffer {
  if (offset >= POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const bytes = Buffer.from(POOL.subarray(offset, offset + 16));
  offset += 16;
  return bytes;
}

export function newId(now = Date.now()): string {
  const bytes = randomSixteen();
  // 48 bits of milliseconds, big-endian.
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Identifiers: UUID version 7 (RFC 9562), time-ordered so that new rows land at the right edge of their
 * indexes and ids sort by creation.
 */
import { randomBytes } from 'node:crypto';

export function newId(now = Date.now()): string {
  const bytes = randomBytes(16);
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

/** Opaque page cursors: the sort key of the last row returned, as base64url JSON. */
import { ServiceError } from '../src/errors.js';

export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, shape: readonly ('string' | 'number')[]): unknown[] | null {
  if (cursor === undefined || cursor === '') return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ServiceError('invalid_request', 'The cursor is not one this service issued');
  }
  const fits =
    Array.isArray(key) &&
    key.length === shape.length &&
    key.every((v, i) => (shape[i] === 'number' ? Number.isSafeInteger(v) : typeof v === 'string' && v.length <= 200));
  if (!fits) throw new ServiceError('invalid_request', 'The cursor is not one this service issued');
  return key as unknown[];
}

/**
 * SQL literals for the few statements sent over the simple query protocol (several statements in one round
 * trip, which the extended protocol cannot do). Every value goes through one of these encoders: text is quoted
 * with its quotes doubled (the connections run with standard_conforming_strings on, so backslashes are plain
 * characters) and may not contain NUL, which would end the statement's text; numbers must be safe integers;
 * uuids must look like uuids.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class LiteralError extends Error {
  override readonly name = 'LiteralError';
}

export function textLiteral(value: string): string {
  if (value.includes('\u0000')) throw new LiteralError('text with a NUL character');
  return `'${value.includes("'") ? value.replaceAll("'", "''") : value}'`;
}

export function intLiteral(value: number): string {
  if (!Number.isSafeInteger(value)) throw new LiteralError(`not a safe integer: ${value}`);
  return String(value);
}

export function uuidLiteral(value: string): string {
  if (!UUID.test(value)) throw new LiteralError(`not a uuid: ${value}`);
  return `'${value}'`;
}

export function boolLiteral(value: boolean): string {
  return value ? 'TRUE' : 'FALSE';
}

/** `ARRAY[...]::type[]`, typed even when empty; `null` elements become NULL. */
export function arrayLiteral<T>(values: readonly (T | null)[], type: string, encode: (value: T) => string): string {
  return `ARRAY[${values.map((v) => (v === null ? 'NULL' : encode(v))).join(',')}]::${type}[]`;
}

export const uuids = (values: readonly (string | null)[]): string => arrayLiteral(values, 'uuid', uuidLiteral);
export const texts = (values: readonly (string | null)[]): string => arrayLiteral(values, 'text', textLiteral);
export const ints = (values: readonly (number | null)[]): string => arrayLiteral(values, 'bigint', intLiteral);
export const jsons = (values: readonly unknown[]): string =>
  arrayLiteral(
    values.map((v) => JSON.stringify(v)),
    'jsonb',
    textLiteral,
  );
export const timestamps = (values: readonly (number | null)[]): string =>
  arrayLiteral(values, 'timestamptz', (ms) => textLiteral(new Date(ms).toISOString()));

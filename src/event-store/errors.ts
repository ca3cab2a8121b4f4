/** Failures that mean "someone else wrote first": the writer reloads and tries again. */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
}

const RETRYABLE_SQLSTATES = new Set([
  '23505', // unique_violation: another writer placed this stream version or command id first
  '40P01', // deadlock_detected: two processes fencing the same streams in different orders
  '40001', // serialization_failure
]);

export function isConflict(err: unknown): boolean {
  if (err instanceof ConcurrencyError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}

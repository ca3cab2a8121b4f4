/** Every check of SPEC §8: the log and the write side (verify.ts) and every read model (projections/). */
import { readModelChecks } from '../../projections/verify-read-models.js';
import type { Db } from '../db/database.js';
import { type VerifyOptions, type VerifyReport, verify } from './verify.js';

export function verifyAll(db: Db, options: Omit<VerifyOptions, 'extraChecks'> = {}): Promise<VerifyReport> {
  return verify(db, { ...options, extraChecks: (trx) => readModelChecks(trx) });
}

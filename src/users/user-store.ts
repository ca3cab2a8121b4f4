/** Users and their tokens. A token is shown once; only its SHA-256 is stored. */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import { newId } from '../ids.js';

export interface User {
  readonly userId: string;
  readonly displayName: string;
}

/** 256 random bits: too many to guess, so a fast hash is enough to keep stolen rows useless. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export async function registerUser(db: Db, displayName: string): Promise<User & { token: string }> {
  const userId = newId();
  const token = newToken();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('users')
      .values({ id: userId, display_name: displayName, token_hash: hashToken(token) })
      .execute();
    await trx.insertInto('wallets').values({ user_id: userId, available: 0, held: 0, version: 0 }).execute();
  });
  return { userId, displayName, token };
}

export async function findUserByToken(db: Db, token: string): Promise<User | null> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  return row ? { userId: row.id, displayName: row.display_name } : null;
}

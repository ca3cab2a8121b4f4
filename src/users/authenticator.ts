/**
 * Bearer token to user, with a bounded in-memory cache: users never change and tokens are never reissued,
 * so a hit needs no database round trip on the bidding path.
 */
import type { Db } from '../db/database.js';
import { type User, findUserByToken } from './user-store.js';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

export class Authenticator {
  private readonly cache = new Map<string, User>();

  constructor(
    private readonly db: Db,
    private readonly maxEntries = 50_000,
  ) {}

  async authenticate(token: string | undefined): Promise<User | null> {
    if (!token || !TOKEN_SHAPE.test(token)) return null;
    const cached = this.cache.get(token);
    if (cached) return cached;
    const user = await findUserByToken(this.db, token);
    if (user) this.remember(token, user);
    return user;
  }

  private remember(token: string, user: User): void {
    // Map iteration follows insertion order, so the first key is the oldest entry.
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(token, user);
  }
}

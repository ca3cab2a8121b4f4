/**
 * A batch and its checkpoint's move are one statement: applied once it lands once, and a runner that
 * believes the checkpoint is somewhere it no longer is writes nothing and is told so.
 */
import { sql } from 'kysely';
import t from 'tap';
import { applyBatch } from '../../projections/apply-batch.js';
import { readCheckpoint, ensureLive } from '../../projections/projection-store.js';
import { walletLedger } from '../../projections/wallet-ledger.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { ConcurrencyError } from '../../src/event-store/errors.js';
import { walletStreamId } from '../../src/event-store/streams.js';
import { LOG_START, type RecordedEvent } from '../../src/event-store/types.js';
import { newId } from '../../src/ids.js';
import { walletEvent } from '../../src/wallets/wallet.js';
import { createTestDatabase } from '../helpers/database.js';

t.test('a batch lands once with its checkpoint, and a stale runner writes nothing', async (t) => {
  const database = openDatabase(await createTestDatabase(t, 'apply batch'), { max: 2 });
  t.teardown(() => database.close());
  const { db } = database;
  await migrateToLatest(db);
  const { version } = await ensureLive(db, walletLedger);
  const userId = newId();
  const batch = (versions: number[]): RecordedEvent[] =>
    versions.map((n) => ({
      streamId: walletStreamId(userId),
      version: n,
      eventId: newId(),
      ...walletEvent(userId, 'deposit', 100, { available: (n - 1) * 100, held: 0 }, Date.parse('2030-01-01T00:00:00Z'))
        .event,
      logPosition: { xid: '900', position: n },
    }));
  const events = batch([1, 2, 3]);
  const to = { xid: '900', position: 3 };
  const rows = async () =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM wallet_ledger`.execute(db)).rows[0]?.n);

  await applyBatch(db, walletLedger, version, events, LOG_START, to);
  t.equal(await rows(), 3, 'the batch is written');
  t.same(await readCheckpoint(db, walletLedger.name, version), to, 'and the checkpoint moved with it');

  await t.rejects(
    applyBatch(db, walletLedger, version, batch([4, 5, 6]), LOG_START, { xid: '900', position: 6 }),
    ConcurrencyError,
    'a runner that believes the checkpoint is still at the start',
  );
  t.equal(await rows(), 3, 'wrote nothing the second time');
  t.same(await readCheckpoint(db, walletLedger.name, version), to);

  await applyBatch(db, walletLedger, version, [], to, { xid: '901', position: 7 });
  t.same(
    await readCheckpoint(db, walletLedger.name, version),
    { xid: '901', position: 7 },
    'a batch with nothing for this read model still moves its checkpoint',
  );
});

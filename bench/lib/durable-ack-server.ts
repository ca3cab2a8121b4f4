/**
 * The latency floor's process (started by durable-ack-floor.ts): the least a bid service must do before it
 * acknowledges a bid, make it durable. Each batch (ack-after-commit.ts) is one INSERT in one round trip
 * (autocommit, so one COMMIT and one WAL flush per batch, as the service's group commit). No auction rules,
 * no wallets, no locks, no relay, no read models.
 */
import pg from 'pg';
import { serveAcksAfterCommit } from './ack-after-commit.js';

const client = new pg.Client({ connectionString: process.argv[2] });
await client.connect();
await client.query(`CREATE TABLE IF NOT EXISTS bids (
  position bigserial PRIMARY KEY, auction_id uuid NOT NULL, command_id text NOT NULL, data jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT now())`);

let seq = 0;
serveAcksAfterCommit(async (batch) => {
  await client.query(
    'INSERT INTO bids (auction_id, command_id, data) SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[])',
    [
      batch.map((b) => b.auctionId),
      batch.map((b) => b.commandId),
      batch.map((b) => JSON.stringify({ type: 'BidPlaced', maxAmount: b.maxAmount })),
    ],
  );
  return batch.map((b) => ({ result: { seq: (seq += 1), currentPrice: b.maxAmount, leading: true } }));
});

// Never outlive the benchmark that started this process.
process.on('disconnect', () => {
  void client.end().finally(() => process.exit(0));
});

/**
 * Every migration, in order. Listed here rather than discovered on disk so the same list works from the
 * TypeScript sources and from the compiled build.
 */
import type { Migration } from 'kysely';
import * as eventStore from './0001-event-store.js';
import * as projections from './0002-projections.js';
import * as fenceCheck from './0003-fence-check.js';
import * as relay from './0004-relay.js';

export const migrations: Record<string, Migration> = {
  '0001-event-store': eventStore,
  '0002-projections': projections,
  '0003-fence-check': fenceCheck,
  '0004-relay': relay,
};

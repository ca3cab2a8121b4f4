/**
 * Preloaded into the service's node (with --expose-gc) by the memory scenario: SIGUSR2 runs a full garbage
 * collection, so a resident-memory reading taken just after counts what is live, not what awaits collection.
 * Plain JavaScript, since the service runs compiled, without a TypeScript loader.
 */
import process from 'node:process';

process.on('SIGUSR2', () => globalThis.gc?.());

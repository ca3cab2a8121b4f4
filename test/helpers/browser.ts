/**
 * A real browser for page tests: Debian's Chromium driven by playwright-core, on the page compiled from web/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import type { Test } from 'tap';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let built = false;

/** Compiles web/ into public/js once per test process, so the page is the current code. */
export function buildPage(): void {
  if (built) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'web/tsconfig.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  built = true;
}

export async function launchBrowser(t: Test): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  buildPage();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // The network here is closed: anything Chromium would fetch for itself only makes noise.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.teardown(() => browser.close());
  return browser;
}

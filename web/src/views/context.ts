/** What every view gets from the page, and what it gives back. */
import type { Live } from '../live.js';

export interface Context {
  readonly main: HTMLElement;
  readonly live: Live;
  navigate(hash: string): void;
  refreshWallet(): Promise<void>;
}

export interface View {
  dispose(): void;
}

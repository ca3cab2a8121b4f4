/**
 * A sleep that another caller can end early: the loops that wait for work or for a step to pass (the relay,
 * the projection runners) hand `end` to whoever may have work for them, and to `stop()`.
 */
export interface WakeableSleep {
  /** Resolves when the time has passed or `end` was called, whichever is first. */
  readonly done: Promise<void>;
  /** Ends the sleep now; does nothing once it has ended. */
  readonly end: () => void;
}

export function wakeableSleep(ms: number): WakeableSleep {
  let end = (): void => {};
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    end = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, end };
}

/** Time, as a dependency: the domain takes `now` as an argument, and tests move it by hand. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * The default bid increment table, used when an auction does not fix its own `minIncrement`.
 * Prices are in minor units (cents): below 1.00 the step is 0.05, from 5,000.00 up it is 100.00.
 * Each row reads "while the price is below `below`, the increment is `step`".
 */
export const INCREMENT_TIERS: ReadonlyArray<{ readonly below: number; readonly step: number }> = [
  { below: 100, step: 5 },
  { below: 500, step: 25 },
  { below: 2_500, step: 50 },
  { below: 10_000, step: 100 },
  { below: 25_000, step: 250 },
  { below: 50_000, step: 500 },
  { below: 100_000, step: 1_000 },
  { below: 250_000, step: 2_500 },
  { below: 500_000, step: 5_000 },
];
export const TOP_INCREMENT = 10_000;

export function tieredIncrement(price: number): number {
  for (const tier of INCREMENT_TIERS) {
    if (price < tier.below) return tier.step;
  }
  return TOP_INCREMENT;
}

/** The increment in force at `price`: the auction's fixed one, or the tier table's. */
export function incrementAt(price: number, fixedIncrement: number | null): number {
  return fixedIncrement ?? tieredIncrement(price);
}

/**
 * Money on the page: the API speaks integer minor units; people type and read major units with two decimals.
 * Parsing works on the text (never through floating point), so "0.1" is exactly 10.
 */
export function formatMoney(minor: number): string {
  const negative = minor < 0;
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / 100).toLocaleString('en-US');
  const cents = String(abs % 100).padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${cents}`;
}

/** Minor units from what a person typed ("12", "12.5", "1,234.50"); null if it is not a positive amount. */
export function parseMoney(input: string): number | null {
  const text = input.trim().replace(/,/g, '');
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  const whole = match[1] ?? '0';
  const cents = (match[2] ?? '').padEnd(2, '0');
  if (whole.length > 13) return null;
  const minor = Number(whole) * 100 + Number(cents);
  return Number.isSafeInteger(minor) && minor > 0 ? minor : null;
}

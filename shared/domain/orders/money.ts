/**
 * Money as the API writes it (decimal strings such as "19.99") and as orders store it (integer minor units: cents,
 * yen, fils). Pure and exact: amounts are parsed digit by digit into BigInt and formatted back the same way, so no
 * binary float ever holds a price or a sum ("0.1" + "0.2" is "0.30", and a total above 2^53 minor units is exact).
 */

/**
 * ISO 4217 active currency codes and their minor-unit exponents (digits after the decimal point). Fund codes
 * (e.g. CLF, UYW), precious metals and testing codes (XAU, XTS) are left out: nobody prices an order line in them.
 */
const EXPONENT_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const EXPONENT_3 = 'BHD IQD JOD KWD LYD OMR TND';
const EXPONENT_2 =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY COP ' +
  'CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR ' +
  'JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN ' +
  'NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP ' +
  'SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG';

export const CURRENCY_EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...EXPONENT_0.split(' ').map((code) => [code, 0] as const),
  ...EXPONENT_2.split(' ').map((code) => [code, 2] as const),
  ...EXPONENT_3.split(' ').map((code) => [code, 3] as const),
]);

/** The digits after the decimal point of an ISO 4217 currency, or undefined for a code we do not know. */
export function currencyExponent(currency: string): number | undefined {
  return CURRENCY_EXPONENTS.get(currency);
}

/**
 * The largest amount one price or shipping charge may hold, in minor units: 12 digits (USD 9,999,999,999.99,
 * JPY 999,999,999,999, BHD 999,999,999.999). It keeps every stored amount a safe integer (below 2^53) in JSON and
 * DynamoDB; sums of up to 100 lines x 10,000 units go past 2^53 and are therefore done in BigInt.
 */
export const MAX_AMOUNT_DIGITS = 12;
export const MAX_AMOUNT_MINOR = 10n ** BigInt(MAX_AMOUNT_DIGITS) - 1n;

/** A plain non-negative decimal: digits, optionally a point and more digits. No sign, exponent, spaces or grouping. */
export const DECIMAL_PATTERN = /^\d+(\.\d+)?$/;

export type ParsedAmount = { ok: true; minor: bigint } | { ok: false; message: string };

/** "19.99" in USD is 1999n; "19.9" is 1990n. Refuses more decimals than the currency has and amounts above the bound. */
export function parseAmount(text: string, currency: string): ParsedAmount {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return { ok: false, message: `unknown currency ${currency}` };
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return { ok: false, message: 'must be a non-negative decimal string such as "19.99" (no sign, exponent or spaces)' };
  const [, whole, fraction = ''] = match;
  if (fraction.length > exponent) {
    return { ok: false, message: exponent === 0 ? `${currency} has no minor unit: send a whole amount` : `${currency} has ${exponent} decimals at most` };
  }
  const minor = BigInt(whole! + fraction.padEnd(exponent, '0'));
  if (minor > MAX_AMOUNT_MINOR) return { ok: false, message: `must be at most ${formatMinor(MAX_AMOUNT_MINOR, currency)}` };
  return { ok: true, minor };
}

/** Like parseAmount, for input that was validated already: a failure here is a bug, not bad input. */
export function toMinor(text: string, currency: string): number {
  const parsed = parseAmount(text, currency);
  if (!parsed.ok) throw new RangeError(`${text} ${currency}: ${parsed.message}`);
  return Number(parsed.minor);
}

/** 1999n in USD is "19.99", 5n is "0.05", 1000n in JPY is "1000": always the currency's full number of decimals. */
export function formatMinor(minor: bigint | number, currency: string): string {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new RangeError(`unknown currency ${currency}`);
  const value = BigInt(minor);
  const sign = value < 0n ? '-' : '';
  const digits = (value < 0n ? -value : value).toString().padStart(exponent + 1, '0');
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Unit price x quantity, summed over the lines, exactly. */
export function itemsTotalMinor(lines: ReadonlyArray<{ quantity: number; unitPriceMinor: number }>): bigint {
  return lines.reduce((sum, line) => sum + BigInt(line.unitPriceMinor) * BigInt(line.quantity), 0n);
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, pricedOrder, placeOrderSchema, requestFingerprint, type PlaceOrderInput } from './intake.ts';
import { CURRENCY_EXPONENTS, currencyExponent, formatMinor, itemsTotalMinor, MAX_AMOUNT_MINOR, parseAmount, toMinor } from './money.ts';
import { orderTotals } from './order.ts';
import { anOrder } from './test-fixtures.ts';

const CURRENCIES = [...CURRENCY_EXPONENTS.keys()];
const currency = fc.constantFrom('USD', 'JPY', 'BHD', ...CURRENCIES);
const amountMinor = fc.bigInt({ min: 0n, max: MAX_AMOUNT_MINOR });

/** A decimal string of an amount written independently of formatMinor: the whole part, then 0..exponent decimals. */
const decimalText = (exponent: number) =>
  fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** BigInt(12 - exponent) - 1n }), fc.integer({ min: 0, max: exponent }), fc.nat())
    .map(([whole, decimals, seed]) => (decimals === 0 ? whole.toString() : `${whole}.${String(seed % 10 ** decimals).padStart(decimals, '0')}`));

const parsed = (text: string, code: string) => {
  const result = parseAmount(text, code);
  if (!result.ok) throw new Error(result.message);
  return result.minor;
};

describe('currencies', () => {
  it('knows the minor units of the usual and the unusual ones', () => {
    expect([currencyExponent('USD'), currencyExponent('EUR'), currencyExponent('JPY'), currencyExponent('BHD'), currencyExponent('KRW')]).toEqual([2, 2, 0, 3, 0]);
    expect(currencyExponent('XXX')).toBeUndefined();
    expect(currencyExponent('usd')).toBeUndefined();
  });
});

describe('parsing and formatting amounts', () => {
  it('reads decimal strings into minor units and writes them back with the currency\'s decimals', () => {
    expect(parsed('19.99', 'USD')).toBe(1999n);
    expect(parsed('19.9', 'USD')).toBe(1990n);
    expect(parsed('0', 'USD')).toBe(0n);
    expect(parsed('1500', 'JPY')).toBe(1500n);
    expect(parsed('1.005', 'BHD')).toBe(1005n);
    expect(formatMinor(5n, 'USD')).toBe('0.05');
    expect(formatMinor(1500, 'JPY')).toBe('1500');
    expect(formatMinor(1005n, 'BHD')).toBe('1.005');
    expect(formatMinor(-5n, 'USD')).toBe('-0.05');
  });

  it.each([
    ['19.999', 'USD', '2 decimals at most'],
    ['100.5', 'JPY', 'no minor unit'],
    ['100.0', 'JPY', 'no minor unit'],
    ['1e3', 'USD', 'decimal string'],
    ['-1.00', 'USD', 'decimal string'],
    ['+1', 'USD', 'decimal string'],
    ['1,000.00', 'USD', 'decimal string'],
    ['.5', 'USD', 'decimal string'],
    ['5.', 'USD', 'decimal string'],
    [' 5', 'USD', 'decimal string'],
    ['Infinity', 'USD', 'decimal string'],
    ['10000000000.00', 'USD', 'at most 9999999999.99'],
    ['1', 'XXX', 'unknown currency'],
  ])('refuses %s %s (%s)', (text, code, message) => {
    const result = parseAmount(text, code);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(message);
  });

  it('round-trips every amount: parse(format(m)) is m', () => {
    fc.assert(fc.property(currency, amountMinor, (code, minor) => parsed(formatMinor(minor, code), code) === minor));
  });

  it('round-trips every decimal string to the same number with the currency\'s full decimals', () => {
    fc.assert(
      fc.property(
        currency.chain((code) => fc.tuple(fc.constant(code), decimalText(currencyExponent(code)!))),
        ([code, text]) => {
          const exponent = currencyExponent(code)!;
          const [whole, fraction = ''] = text.split('.');
          const expected = exponent === 0 ? whole! : `${whole}.${fraction.padEnd(exponent, '0')}`;
          expect(formatMinor(parsed(text, code), code)).toBe(expected);
        },
      ),
    );
  });

  it('keeps every stored amount a safe integer, so JSON and DynamoDB hold it exactly', () => {
    expect(MAX_AMOUNT_MINOR < BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    fc.assert(fc.property(currency, amountMinor, (code, minor) => BigInt(toMinor(formatMinor(minor, code), code)) === minor));
  });
});

describe('sums', () => {
  const line = fc.record({ quantity: fc.integer({ min: 1, max: 10_000 }), unitPriceMinor: amountMinor.map(Number) });

  it('equal the exact decimal sum of unit price x quantity, whatever the lines', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 100 }), (lines) => {
        // The oracle multiplies decimal digit strings, not numbers: it shares no arithmetic with itemsTotalMinor.
        const exact = lines.reduce((sum, l) => sum + BigInt(String(l.unitPriceMinor)) * BigInt(String(l.quantity)), 0n);
        expect(itemsTotalMinor(lines)).toBe(exact);
      }),
    );
  });

  it('never take a float path: 0.10 + 0.20 is 0.30, and the largest order is exact beyond 2^53', () => {
    const tenCents = anOrder({ currency: 'USD', shippingChargedMinor: 20, lines: [{ lineId: 'l1', sku: 'A', quantity: 1, fulfillment: { type: 'ship' }, unitPriceMinor: 10 }] });
    expect(orderTotals(tenCents)).toEqual({ currency: 'USD', items: '0.10', shipping: '0.20', total: '0.30' });

    const largest = anOrder({
      currency: 'USD',
      shippingChargedMinor: Number(MAX_AMOUNT_MINOR),
      lines: Array.from({ length: 100 }, (_, i) => ({ lineId: `l${i}`, sku: 'A', quantity: 10_000, fulfillment: { type: 'ship' as const }, unitPriceMinor: Number(MAX_AMOUNT_MINOR) })),
    });
    expect(orderTotals(largest)).toEqual({ currency: 'USD', items: '9999999999990000.00', shipping: '9999999999.99', total: '10000009999989999.99' });
  });

  it('refuses a float where minor units belong, instead of rounding it', () => {
    expect(() => itemsTotalMinor([{ quantity: 1, unitPriceMinor: 19.99 }])).toThrow(RangeError);
  });
});

describe('order totals', () => {
  it('are absent on an order placed without prices', () => {
    expect(orderTotals(anOrder())).toBeUndefined();
  });

  it('sum unit prices x quantities and shipping in yen, with no decimals', () => {
    const order = anOrder({
      currency: 'JPY',
      shippingChargedMinor: 500,
      lines: [
        { lineId: 'l1', sku: 'TEE', quantity: 3, fulfillment: { type: 'ship' }, unitPriceMinor: 1980 },
        { lineId: 'l2', sku: 'CAP', quantity: 1, fulfillment: { type: 'ship' }, unitPriceMinor: 2500 },
      ],
    });
    expect(orderTotals(order)).toEqual({ currency: 'JPY', items: '8440', shipping: '500', total: '8940' });
  });
});

describe('money at intake', () => {
  const base = { channel: 'web', shipTo: { country: 'US', postalCode: '10001' } };
  const priced = (patch: Partial<PlaceOrderInput> = {}): PlaceOrderInput => ({
    ...base,
    currency: 'USD',
    shippingCharged: '4.95',
    lines: [
      { lineId: 'l1', sku: 'TEE', quantity: 2, unitPrice: '19.99' },
      { lineId: 'l2', sku: 'CAP', quantity: 1, unitPrice: '12.5' },
    ],
    ...patch,
  });
  const fieldsOf = (input: unknown) => {
    const result = placeOrderSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
  };

  it('stores prices and shipping in minor units', () => {
    const stored = pricedOrder(placeOrderSchema.parse(priced()));
    expect(stored.currency).toBe('USD');
    expect(stored.shippingChargedMinor).toBe(495);
    expect(stored.lines.map((l) => l.unitPriceMinor)).toEqual([1999, 1250]);
    expect(stored.lines[0]).not.toHaveProperty('unitPrice');
  });

  it('charges no shipping when the priced order leaves it out', () => {
    const { shippingCharged: _, ...input } = priced();
    expect(pricedOrder(placeOrderSchema.parse(input)).shippingChargedMinor).toBe(0);
  });

  it('stores an order without prices as before: no currency, no unit prices', () => {
    const stored = pricedOrder(placeOrderSchema.parse({ ...base, lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }] }));
    expect(stored).toEqual({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, fulfillment: { type: 'ship' } }] });
  });

  it.each([
    ['a price without a currency', { currency: undefined }, 'currency'],
    ['shipping without a currency', { currency: undefined, lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }] }, 'currency'],
    ['a currency with an unpriced line', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: '1.00' }, { lineId: 'l2', sku: 'CAP', quantity: 1 }] }, 'lines.1.unitPrice'],
    ['an unknown currency', { currency: 'ABC' }, 'currency'],
    ['a lower-case currency', { currency: 'usd' }, 'currency'],
    ['three decimals in USD', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: '19.999' }] }, 'lines.0.unitPrice'],
    ['decimals in JPY', { currency: 'JPY', shippingCharged: '500', lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: '1980.5' }] }, 'lines.0.unitPrice'],
    ['an exponent', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: '1e3' }] }, 'lines.0.unitPrice'],
    ['a negative price', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: '-1.00' }] }, 'lines.0.unitPrice'],
    ['a number instead of a string', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: 19.99 }] }, 'lines.0.unitPrice'],
    ['a price above the bound', { lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, unitPrice: '10000000000' }] }, 'lines.0.unitPrice'],
    ['too many decimals of shipping', { shippingCharged: '4.955' }, 'shippingCharged'],
    ['negative shipping', { shippingCharged: '-4.95' }, 'shippingCharged'],
  ])('refuses %s, naming the field', (_, patch, field) => {
    expect(fieldsOf({ ...priced(), ...patch })).toContain(field);
  });

  it('fingerprints the same prices written differently alike, and other prices apart', () => {
    const fingerprint = (input: PlaceOrderInput) => requestFingerprint(placeOrderSchema.parse(input));
    const same = priced({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2, unitPrice: '19.99' }, { lineId: 'l2', sku: 'CAP', quantity: 1, unitPrice: '12.50' }] });
    expect(fingerprint(same)).toBe(fingerprint(priced()));
    expect(fingerprint(priced({ shippingCharged: '0' }))).toBe(fingerprint({ ...priced(), shippingCharged: undefined }));
    expect(fingerprint(priced({ shippingCharged: '5.95' }))).not.toBe(fingerprint(priced()));
    expect(fingerprint(priced({ currency: 'EUR' }))).not.toBe(fingerprint(priced()));
    expect(fingerprint(priced({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2, unitPrice: '18.99' }, { lineId: 'l2', sku: 'CAP', quantity: 1, unitPrice: '12.5' }] }))).not.toBe(fingerprint(priced()));
  });

  it('fingerprints an order without prices exactly as before prices existed (a retry across the release is still a repeat)', () => {
    const request = placeOrderSchema.parse({ ...base, externalId: 'SHOP-1', lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, fulfillment: { type: 'pickup', locationId: 'S1' } }] });
    expect(requestFingerprint(request)).toBe(canonicalJson(request));
  });
});

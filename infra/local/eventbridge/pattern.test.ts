import { describe, expect, it } from 'vitest';
import { InvalidEventPatternError, matchesPattern, validatePattern } from './pattern.ts';

// An envelope shaped as EventBridge delivers it, with a detail that exercises every operator.
const event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'OrderAccepted',
  source: 'dom.orders',
  account: '111122223333',
  time: '2017-10-02T18:43:48Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:s3:::bucket'],
  detail: {
    state: 'running',
    'c-count': 5,
    'd-count': 12,
    price: 301.5,
    priority: true,
    note: null,
    empty: '',
    FileName: 'image.PNG',
    service: 'EventBridge',
    path: '/usr/lib/node',
    'source-ip': '10.0.0.255',
    'source-ip6': '2001:db8::1',
    tags: ['blue', 'green'],
    amounts: [100, 50],
    lines: [
      { sku: 'A', qty: 1 },
      { sku: 'B', qty: 3 },
    ],
    customer: { tier: 'gold', address: { country: 'FR' } },
    literal: 'a*b\\c',
    version: '1',
  },
};

const matches = (pattern: Record<string, unknown>, target: unknown = event): boolean => matchesPattern(pattern, target);
const reason = (pattern: unknown): string => {
  try {
    validatePattern(pattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return error.message;
    throw error;
  }
  throw new Error('pattern was accepted');
};

describe('exact values, arrays and structure', () => {
  it('matches when an exact string value in the pattern equals the event field', () => {
    expect(matches({ source: ['dom.orders'] })).toBe(true);
  });

  it('does not match when the exact string differs only by case, because matching is case-sensitive', () => {
    expect(matches({ source: ['DOM.orders'] })).toBe(false);
  });

  it('matches when any value of the pattern array matches (values in an array are ORed)', () => {
    expect(matches({ 'detail-type': ['OrderRejected', 'OrderAccepted'] })).toBe(true);
  });

  it('requires every field of the pattern to match (fields are ANDed)', () => {
    expect(matches({ source: ['dom.orders'], 'detail-type': ['OrderRejected'] })).toBe(false);
  });

  it('matches nested objects when the event has the same nested structure', () => {
    expect(matches({ detail: { customer: { address: { country: ['FR'] } } } })).toBe(true);
  });

  it('ignores event fields the pattern does not mention', () => {
    expect(matches({ detail: { state: ['running'] } })).toBe(true);
  });

  it('fails when a field named in the pattern is missing from the event', () => {
    expect(matches({ detail: { missing: ['x'] } })).toBe(false);
  });

  it('fails when a whole nested object named in the pattern is missing from the event', () => {
    expect(matches({ detail: { nothing: { here: ['x'] } } })).toBe(false);
  });

  it('matches an event array when any of its elements matches a pattern value', () => {
    expect(matches({ resources: ['arn:aws:s3:::bucket'] })).toBe(true);
  });

  it('does not match an event array when the intersection with the pattern values is empty', () => {
    expect(matches({ detail: { tags: ['red', 'yellow'] } })).toBe(false);
  });

  it('matches a number exactly, whatever its JSON notation (301.5 equals 3.015e2)', () => {
    expect(matches({ detail: { price: [3.015e2] } })).toBe(true);
  });

  it('does not match a number pattern against the same digits as a string', () => {
    expect(matches({ detail: { version: [1] } })).toBe(false);
  });

  it('does not match a string pattern against the same digits as a number', () => {
    expect(matches({ detail: { 'c-count': ['5'] } })).toBe(false);
  });

  it('matches boolean values exactly', () => {
    expect(matches({ detail: { priority: [true] } })).toBe(true);
    expect(matches({ detail: { priority: [false] } })).toBe(false);
  });

  it('matches a JSON null with a null pattern value', () => {
    expect(matches({ detail: { note: [null] } })).toBe(true);
  });

  it('does not treat a null pattern value as matching a missing field', () => {
    expect(matches({ detail: { missing: [null] } })).toBe(false);
  });

  it('matches an empty string with an empty-string pattern value', () => {
    expect(matches({ detail: { empty: [''] } })).toBe(true);
  });

  it('requires one element of an array of objects to satisfy the whole sub-pattern (array consistency)', () => {
    expect(matches({ detail: { lines: { sku: ['B'], qty: [3] } } })).toBe(true);
    expect(matches({ detail: { lines: { sku: ['A'], qty: [3] } } })).toBe(false);
  });

  it('does not match a leaf pattern against an object in the event, because values are compared at leaves only', () => {
    expect(matches({ detail: { customer: ['gold'] } })).toBe(false);
  });
});

describe('prefix, suffix and equals-ignore-case', () => {
  it('matches prefix on the beginning of a string value', () => {
    expect(matches({ time: [{ prefix: '2017-10-02' }] })).toBe(true);
  });

  it('does not match prefix when the value starts differently', () => {
    expect(matches({ time: [{ prefix: '2018' }] })).toBe(false);
  });

  it('does not apply prefix to numbers, because prefix matching is for strings only', () => {
    expect(matches({ detail: { 'c-count': [{ prefix: '5' }] } })).toBe(false);
  });

  it('matches prefix ignoring case with {prefix: {equals-ignore-case}}', () => {
    expect(matches({ detail: { service: [{ prefix: { 'equals-ignore-case': 'EVENTB' } }] } })).toBe(true);
  });

  it('matches suffix on the end of a string value', () => {
    expect(matches({ detail: { path: [{ suffix: '/node' }] } })).toBe(true);
  });

  it('does not match suffix case-insensitively unless asked', () => {
    expect(matches({ detail: { FileName: [{ suffix: '.png' }] } })).toBe(false);
  });

  it('matches suffix ignoring case with {suffix: {equals-ignore-case}}', () => {
    expect(matches({ detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } })).toBe(true);
  });

  it('matches equals-ignore-case regardless of the case of the event value', () => {
    expect(matches({ detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } })).toBe(true);
  });

  it('does not match equals-ignore-case on a different string', () => {
    expect(matches({ detail: { state: [{ 'equals-ignore-case': 'stopped' }] } })).toBe(false);
  });
});

describe('anything-but', () => {
  it('matches anything-but a string when the value is different', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } })).toBe(true);
  });

  it('does not match anything-but a string when the value is that string', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'running' }] } })).toBe(false);
  });

  it('does not match anything-but a number when the value is that number', () => {
    expect(matches({ detail: { 'c-count': [{ 'anything-but': 5 }] } })).toBe(false);
  });

  it('does not match anything-but a list when the value is in the list', () => {
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } })).toBe(false);
  });

  it('matches anything-but a list of numbers when an event array holds a value outside the list', () => {
    expect(matches({ detail: { amounts: [{ 'anything-but': [100, 500] }] } })).toBe(true);
  });

  it('does not match anything-but when the field is missing from the event', () => {
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false);
  });

  it('matches anything-but prefix when the value does not start with the prefix', () => {
    expect(matches({ region: [{ 'anything-but': { prefix: 'eu-' } }] })).toBe(true);
    expect(matches({ region: [{ 'anything-but': { prefix: 'us-' } }] })).toBe(false);
  });

  it('does not match anything-but suffix when the value ends with the suffix', () => {
    expect(matches({ detail: { path: [{ 'anything-but': { suffix: 'node' } }] } })).toBe(false);
  });

  it('does not match anything-but equals-ignore-case when the value equals one of the list ignoring case', () => {
    expect(matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['STOPPED', 'RUNNING'] } }] } })).toBe(
      false,
    );
  });

  it('does not match anything-but wildcard when the value matches the wildcard', () => {
    expect(matches({ detail: { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] } })).toBe(false);
    expect(matches({ detail: { path: [{ 'anything-but': { wildcard: '*/bin/*' } }] } })).toBe(true);
  });
});

describe('numeric', () => {
  it('matches a value inside a two-sided range', () => {
    expect(matches({ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } })).toBe(true);
  });

  it('does not match a value outside a two-sided range', () => {
    expect(matches({ detail: { 'd-count': [{ numeric: ['>', 0, '<=', 5] }] } })).toBe(false);
  });

  it('matches a one-sided comparison', () => {
    expect(matches({ detail: { 'd-count': [{ numeric: ['<', 20] }] } })).toBe(true);
  });

  it('respects an exclusive bound', () => {
    expect(matches({ detail: { 'c-count': [{ numeric: ['<', 5] }] } })).toBe(false);
    expect(matches({ detail: { 'c-count': [{ numeric: ['>=', 5] }] } })).toBe(true);
  });

  it('matches numeric equality with "="', () => {
    expect(matches({ detail: { price: [{ numeric: ['=', 301.5] }] } })).toBe(true);
  });

  it('does not match numeric against a string, because numeric matching works on JSON numbers only', () => {
    expect(matches({ detail: { version: [{ numeric: ['=', 1] }] } })).toBe(false);
  });
});

describe('exists', () => {
  it('matches exists:true when the leaf field is present', () => {
    expect(matches({ detail: { state: [{ exists: true }] } })).toBe(true);
  });

  it('matches exists:true on a field whose value is null, since null is a value', () => {
    expect(matches({ detail: { note: [{ exists: true }] } })).toBe(true);
  });

  it('does not match exists:true when the field is missing', () => {
    expect(matches({ detail: { missing: [{ exists: true }] } })).toBe(false);
  });

  it('matches exists:false when the field is missing', () => {
    expect(matches({ detail: { missing: [{ exists: false }] } })).toBe(true);
  });

  it('matches exists:false when the whole parent object is missing', () => {
    expect(matches({ nothing: { missing: [{ exists: false }] } })).toBe(true);
  });

  it('does not match exists:false when the field is present', () => {
    expect(matches({ detail: { state: [{ exists: false }] } })).toBe(false);
  });

  it('only sees leaf nodes: exists:true fails and exists:false matches on an intermediate object', () => {
    expect(matches({ detail: { customer: [{ exists: true }] } })).toBe(false);
    expect(matches({ detail: { customer: [{ exists: false }] } })).toBe(true);
  });
});

describe('cidr', () => {
  it('matches an IPv4 address inside the block', () => {
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } })).toBe(true);
  });

  it('does not match an IPv4 address outside the block', () => {
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } })).toBe(false);
  });

  it('matches an IPv6 address inside the block', () => {
    expect(matches({ detail: { 'source-ip6': [{ cidr: '2001:db8::/32' }] } })).toBe(true);
  });

  it('does not match a value that is not an IP address', () => {
    expect(matches({ detail: { state: [{ cidr: '10.0.0.0/8' }] } })).toBe(false);
  });
});

describe('wildcard', () => {
  it('matches * against any run of characters', () => {
    expect(matches({ detail: { path: [{ wildcard: '/usr/*/node' }] } })).toBe(true);
  });

  it('matches a wildcard with several stars', () => {
    expect(matches({ resources: [{ wildcard: 'arn:aws:ec2:*:instance/*' }] })).toBe(true);
  });

  it('does not match a wildcard whose literal parts differ', () => {
    expect(matches({ detail: { path: [{ wildcard: '/opt/*' }] } })).toBe(false);
  });

  it('treats \\* as a literal asterisk and \\\\ as a literal backslash', () => {
    expect(matches({ detail: { literal: [{ wildcard: 'a\\*b\\\\c' }] } })).toBe(true);
    expect(matches({ detail: { literal: [{ wildcard: 'a\\*' }] } })).toBe(false);
  });

  it('treats regular-expression characters literally', () => {
    expect(matches({ detail: { FileName: [{ wildcard: 'image.*' }] } })).toBe(true);
    expect(matches({ detail: { FileName: [{ wildcard: 'image?PNG' }] } })).toBe(false);
  });
});

describe('$or', () => {
  it('matches when one alternative of $or matches', () => {
    expect(matches({ detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['>', 10] }] }] } })).toBe(
      true,
    );
  });

  it('does not match when no alternative of $or matches', () => {
    expect(matches({ detail: { $or: [{ state: ['stopped'] }, { 'd-count': [0] }] } })).toBe(false);
  });

  it('ANDs $or with the sibling fields at the same level', () => {
    expect(matches({ source: ['other'], $or: [{ region: ['us-east-1'] }, { account: ['1'] }] })).toBe(false);
    expect(matches({ source: ['dom.orders'], $or: [{ region: ['us-east-1'] }, { account: ['1'] }] })).toBe(true);
  });
});

describe('validation (InvalidEventPatternException)', () => {
  it('rejects a pattern that is not a JSON object', () => {
    expect(reason(['source'])).toContain('Filter is not an object');
  });

  it('rejects an empty pattern object', () => {
    expect(reason({})).toContain('Empty objects are not allowed');
  });

  it('rejects an empty array of values', () => {
    expect(reason({ source: [] })).toContain('Empty arrays are not allowed');
  });

  it('rejects a field whose value is a bare scalar instead of an array', () => {
    expect(reason({ source: 'dom.orders' })).toContain('"source" must be an object or an array');
  });

  it('rejects an unknown operator and names it', () => {
    expect(reason({ detail: { state: [{ contains: 'run' }] } })).toContain('Unrecognized match type contains');
  });

  it('rejects a match expression with two operators', () => {
    expect(reason({ source: [{ prefix: 'a', suffix: 'b' }] })).toContain('Only one key allowed in match expression');
  });

  it('rejects nested arrays as match values', () => {
    expect(reason({ source: [['a']] })).toContain('Match value must be String, number, true, false, or null');
  });

  it('rejects exists with a non-boolean value', () => {
    expect(reason({ source: [{ exists: 'yes' }] })).toContain('exists match pattern must be either true or false');
  });

  it('rejects a numeric range whose first comparator is an upper bound', () => {
    expect(reason({ n: [{ numeric: ['<', 5, '>', 1] }] })).toContain('Too many elements in numeric expression');
  });

  it('rejects a numeric range whose bottom is not below its top', () => {
    expect(reason({ n: [{ numeric: ['>', 5, '<', 1] }] })).toContain('Bottom must be less than top');
  });

  it('rejects a numeric operand that is not a number', () => {
    expect(reason({ n: [{ numeric: ['>', '5'] }] })).toContain('Value of > must be numeric');
  });

  it('rejects an unknown numeric operator', () => {
    expect(reason({ n: [{ numeric: ['!=', 5] }] })).toContain('Unrecognized numeric range operator: !=');
  });

  it('rejects an anything-but list mixing strings and numbers', () => {
    expect(reason({ n: [{ 'anything-but': ['a', 1] }] })).toContain('mixed type is not supported');
  });

  it('rejects anything-but with null or boolean values', () => {
    expect(reason({ n: [{ 'anything-but': [true] }] })).toContain('null|boolean is not supported');
  });

  it('rejects an unsupported anything-but operator', () => {
    expect(reason({ n: [{ 'anything-but': { numeric: ['>', 1] } }] })).toContain('Unsupported anything-but pattern: numeric');
  });

  it('rejects an empty anything-but prefix', () => {
    expect(reason({ n: [{ 'anything-but': { prefix: '' } }] })).toContain('Null prefix/suffix not allowed');
  });

  it('rejects a prefix that is not a string', () => {
    expect(reason({ n: [{ prefix: 5 }] })).toContain('prefix match pattern must be a string');
  });

  it('rejects consecutive wildcard characters', () => {
    expect(reason({ n: [{ wildcard: 'a**b' }] })).toContain('Consecutive wildcard characters');
  });

  it('rejects an escape other than \\* or \\\\ in a wildcard', () => {
    expect(reason({ n: [{ wildcard: 'a\\b' }] })).toContain('Invalid escape character');
  });

  it('rejects a malformed CIDR block', () => {
    expect(reason({ ip: [{ cidr: '10.0.0.0/33' }] })).toContain('Malformed CIDR');
  });

  it('rejects $or with fewer than two alternatives', () => {
    expect(reason({ $or: [{ source: ['a'] }] })).toContain('There must have at least 2 Objects in $or relationship');
  });

  it('rejects $or alternatives that are not objects', () => {
    expect(reason({ $or: ['a', 'b'] })).toContain('Only JSON object is allowed in array of $or relationship');
  });

  it('names the path of the offending field in the message', () => {
    expect(reason({ detail: { lines: { qty: [] } } })).toContain('"detail.lines.qty"');
  });

  it('makes matchesPattern throw on an invalid pattern rather than silently not matching', () => {
    expect(() => matchesPattern({ source: [] }, event)).toThrow(InvalidEventPatternError);
  });
});

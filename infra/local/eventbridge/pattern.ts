/**
 * EventBridge event-pattern matching, following AWS's documented semantics ("Amazon EventBridge event patterns",
 * "Content filtering in Amazon EventBridge event patterns", "Comparison operators"). Pure: no I/O, no clock.
 *
 * A pattern is compiled once (validated, then turned into a small tree of predicates) and cached per pattern object,
 * so topology rules that match thousands of events are parsed a single time.
 */
import { BlockList, isIP } from 'node:net';

/** Thrown for a pattern EventBridge would reject; the server maps it to `InvalidEventPatternException`. */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  /** The `__type` AWS answers with, so callers can map this error onto the wire without a lookup table. */
  readonly code = 'InvalidEventPatternException';

  constructor(
    readonly reason: string,
    readonly path: string,
  ) {
    super(`Event pattern is not valid. Reason: ${reason}${path === '' ? '' : ` at "${path}"`}`);
  }
}

type Leaf = string | number | boolean | null;

type Condition = { kind: 'exists'; exists: boolean } | { kind: 'value'; test(value: Leaf): boolean };

type FieldMatcher =
  | { key: string; kind: 'object'; matcher: ObjectMatcher }
  | { key: string; kind: 'leaf'; conditions: Condition[] };

interface ObjectMatcher {
  fields: FieldMatcher[];
  /** Each `$or` at this level: at least one alternative must match, alongside every field. */
  ors: ObjectMatcher[][];
}

const OR_KEY = '$or';
const compiled = new WeakMap<object, ObjectMatcher>();

/** Throws `InvalidEventPatternError` when EventBridge would refuse the pattern. */
export function validatePattern(pattern: unknown): void {
  compile(pattern);
}

/** True when `event` (an envelope, or any JSON object for TestEventPattern) matches `pattern`. */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return matchObject(compile(pattern), event);
}

function compile(pattern: unknown): ObjectMatcher {
  if (!isPlainObject(pattern)) throw new InvalidEventPatternError('Filter is not an object', '');
  const cached = compiled.get(pattern);
  if (cached !== undefined) return cached;
  const matcher = compileObject(pattern, '');
  compiled.set(pattern, matcher);
  return matcher;
}

function compileObject(pattern: Record<string, unknown>, path: string): ObjectMatcher {
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new InvalidEventPatternError('Empty objects are not allowed', path);
  const matcher: ObjectMatcher = { fields: [], ors: [] };
  for (const key of keys) {
    const value = pattern[key];
    const at = path === '' ? key : `${path}.${key}`;
    if (key === OR_KEY) {
      matcher.ors.push(compileOr(value, at));
    } else if (Array.isArray(value)) {
      matcher.fields.push({ key, kind: 'leaf', conditions: compileLeaf(value, at) });
    } else if (isPlainObject(value)) {
      matcher.fields.push({ key, kind: 'object', matcher: compileObject(value, at) });
    } else {
      throw new InvalidEventPatternError(`"${key}" must be an object or an array`, at);
    }
  }
  return matcher;
}

function compileOr(value: unknown, path: string): ObjectMatcher[] {
  if (!Array.isArray(value)) throw new InvalidEventPatternError(`It must be an Array followed with ${OR_KEY}.`, path);
  const alternatives = value.map((alternative, index) => {
    if (!isPlainObject(alternative)) {
      throw new InvalidEventPatternError(`Only JSON object is allowed in array of ${OR_KEY} relationship.`, path);
    }
    return compileObject(alternative, `${path}[${index}]`);
  });
  if (alternatives.length < 2) {
    throw new InvalidEventPatternError(`There must have at least 2 Objects in ${OR_KEY} relationship.`, path);
  }
  return alternatives;
}

function compileLeaf(values: unknown[], path: string): Condition[] {
  if (values.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed', path);
  return values.map((value) => {
    if (isPlainObject(value)) return compileOperator(value, path);
    if (value === null || typeof value === 'string' || typeof value === 'boolean') {
      return valueCondition((candidate) => candidate === value);
    }
    if (typeof value === 'number' && Number.isFinite(value)) {
      return valueCondition((candidate) => typeof candidate === 'number' && candidate === value);
    }
    throw new InvalidEventPatternError('Match value must be String, number, true, false, or null', path);
  });
}

function compileOperator(expression: Record<string, unknown>, path: string): Condition {
  const keys = Object.keys(expression);
  if (keys.length === 0) throw new InvalidEventPatternError('Match expression name not found', path);
  if (keys.length > 1) throw new InvalidEventPatternError('Only one key allowed in match expression', path);
  const operator = keys[0] as string;
  const operand = expression[operator];
  switch (operator) {
    case 'prefix':
      return compileAffix(operand, 'prefix', path);
    case 'suffix':
      return compileAffix(operand, 'suffix', path);
    case 'equals-ignore-case': {
      const expected = requireString(operand, 'equals-ignore-case', path);
      return valueCondition((candidate) => typeof candidate === 'string' && sameIgnoringCase(candidate, expected));
    }
    case 'wildcard': {
      const regex = compileWildcard(requireString(operand, 'wildcard', path), path);
      return valueCondition((candidate) => typeof candidate === 'string' && regex.test(candidate));
    }
    case 'anything-but':
      return compileAnythingBut(operand, path);
    case 'numeric':
      return compileNumeric(operand, path);
    case 'exists':
      if (typeof operand !== 'boolean') {
        throw new InvalidEventPatternError('exists match pattern must be either true or false.', path);
      }
      return { kind: 'exists', exists: operand };
    case 'cidr':
      return compileCidr(operand, path);
    default:
      throw new InvalidEventPatternError(`Unrecognized match type ${operator}`, path);
  }
}

/** `prefix` / `suffix`, either a plain string or `{ "equals-ignore-case": string }`. */
function compileAffix(operand: unknown, operator: 'prefix' | 'suffix', path: string): Condition {
  let affix: string;
  let ignoreCase = false;
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      throw new InvalidEventPatternError(
        `Unsupported ${operator} pattern: only "equals-ignore-case" may be nested in ${operator}`,
        path,
      );
    }
    affix = requireString(operand['equals-ignore-case'], `${operator}/equals-ignore-case`, path);
    ignoreCase = true;
  } else {
    affix = requireString(operand, operator, path);
  }
  const wanted = ignoreCase ? fold(affix) : affix;
  return valueCondition((candidate) => {
    if (typeof candidate !== 'string') return false;
    const text = ignoreCase ? fold(candidate) : candidate;
    return operator === 'prefix' ? text.startsWith(wanted) : text.endsWith(wanted);
  });
}

/**
 * `anything-but` takes a string, a number, a list of only strings or only numbers, or one of `prefix`, `suffix`,
 * `equals-ignore-case` and `wildcard`. It is a negation evaluated per event value, so an array in the event matches
 * when any one of its values is not excluded; a field missing from the event still fails (it has no value at all).
 */
function compileAnythingBut(operand: unknown, path: string): Condition {
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1) throw new InvalidEventPatternError('Only one key allowed in match expression', path);
    const operator = keys[0] as string;
    const inner = operand[operator];
    switch (operator) {
      case 'prefix':
      case 'suffix': {
        const affix = requireString(inner, `anything-but/${operator}`, path);
        if (affix === '') throw new InvalidEventPatternError('Null prefix/suffix not allowed', path);
        return valueCondition(
          (candidate) =>
            !(typeof candidate === 'string' && (operator === 'prefix' ? candidate.startsWith(affix) : candidate.endsWith(affix))),
        );
      }
      case 'equals-ignore-case': {
        const excluded = stringOrStrings(inner, 'anything-but/equals-ignore-case', path).map(fold);
        return valueCondition((candidate) => !(typeof candidate === 'string' && excluded.includes(fold(candidate))));
      }
      case 'wildcard': {
        const regexes = stringOrStrings(inner, 'anything-but/wildcard', path).map((text) => compileWildcard(text, path));
        return valueCondition(
          (candidate) => !(typeof candidate === 'string' && regexes.some((regex) => regex.test(candidate))),
        );
      }
      default:
        throw new InvalidEventPatternError(`Unsupported anything-but pattern: ${operator}`, path);
    }
  }
  const excluded: unknown[] = Array.isArray(operand) ? operand : [operand];
  if (!Array.isArray(operand) && typeof operand !== 'string' && !isFiniteNumber(operand)) {
    throw new InvalidEventPatternError('Value of anything-but must be an array or single string/number value.', path);
  }
  if (excluded.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed', path);
  const allStrings = excluded.every((value) => typeof value === 'string');
  const allNumbers = excluded.every(isFiniteNumber);
  if (!allStrings && !allNumbers) {
    const hasOther = excluded.some((value) => typeof value !== 'string' && !isFiniteNumber(value));
    throw new InvalidEventPatternError(
      hasOther
        ? 'Inside anything but list, start|null|boolean is not supported.'
        : 'Inside anything but list, either all values are number or string, mixed type is not supported',
      path,
    );
  }
  const excludedSet = new Set<unknown>(excluded);
  return valueCondition((candidate) => !excludedSet.has(candidate));
}

/** `numeric`: `[op, n]` or a range `['>' | '>=', low, '<' | '<=', high]`; only JSON numbers in the event match. */
function compileNumeric(operand: unknown, path: string): Condition {
  if (!Array.isArray(operand)) throw new InvalidEventPatternError('Value of numeric must be an array.', path);
  const [first, firstValue, second, secondValue, ...rest] = operand as unknown[];
  if (typeof first !== 'string') throw new InvalidEventPatternError(`Invalid member in numeric match: ${String(first)}`, path);
  if (!['=', '<', '<=', '>', '>='].includes(first)) {
    throw new InvalidEventPatternError(`Unrecognized numeric range operator: ${first}`, path);
  }
  if (!isFiniteNumber(firstValue)) throw new InvalidEventPatternError(`Value of ${first} must be numeric`, path);
  const lowerBound = first === '>' || first === '>=';
  if (operand.length === 2) return valueCondition((candidate) => isFiniteNumber(candidate) && compare(first, candidate, firstValue));
  if (!lowerBound || operand.length > 4) throw new InvalidEventPatternError('Too many elements in numeric expression', path);
  if (typeof second !== 'string') throw new InvalidEventPatternError(`Bad value in numeric range: ${String(second)}`, path);
  if (second !== '<' && second !== '<=') throw new InvalidEventPatternError(`Bad numeric range operator: ${second}`, path);
  if (!isFiniteNumber(secondValue)) throw new InvalidEventPatternError(`Value of ${second} must be numeric`, path);
  if (rest.length > 0) throw new InvalidEventPatternError('Too many terms in numeric range expression', path);
  if (firstValue >= secondValue) throw new InvalidEventPatternError('Bottom must be less than top', path);
  return valueCondition(
    (candidate) => isFiniteNumber(candidate) && compare(first, candidate, firstValue) && compare(second, candidate, secondValue),
  );
}

function compare(operator: string, value: number, operand: number): boolean {
  switch (operator) {
    case '=':
      return value === operand;
    case '<':
      return value < operand;
    case '<=':
      return value <= operand;
    case '>':
      return value > operand;
    default:
      return value >= operand;
  }
}

/** `cidr`: an IPv4 or IPv6 block; only string event values that are IP addresses of the same family match. */
function compileCidr(operand: unknown, path: string): Condition {
  const text = requireString(operand, 'cidr', path);
  const slash = text.indexOf('/');
  const address = slash === -1 ? '' : text.slice(0, slash);
  const bitsText = slash === -1 ? '' : text.slice(slash + 1);
  const family = isIP(address);
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : Number.NaN;
  if (family === 0 || !(bits >= 0 && bits <= (family === 4 ? 32 : 128))) {
    throw new InvalidEventPatternError(`Malformed CIDR, one '/' required: ${text}`, path);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const block = new BlockList();
  block.addSubnet(address, bits, type);
  return valueCondition(
    (candidate) => typeof candidate === 'string' && isIP(candidate) === family && block.check(candidate, type),
  );
}

/**
 * Wildcard: `*` matches any run of characters (including none); `\*` is a literal asterisk and `\\` a literal
 * backslash. Any other escape, a trailing backslash and two consecutive `*` are rejected, as AWS does.
 */
function compileWildcard(text: string, path: string): RegExp {
  let source = '^';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (char === '\\') {
      const next = text[index + 1];
      if (next !== '*' && next !== '\\') {
        throw new InvalidEventPatternError(`Invalid escape character at pos ${index + 1} in wildcard "${text}"`, path);
      }
      source += escapeRegex(next);
      index += 1;
    } else if (char === '*') {
      if (text[index + 1] === '*') {
        throw new InvalidEventPatternError(`Consecutive wildcard characters at pos ${index + 1} in wildcard "${text}"`, path);
      }
      source += '.*';
    } else {
      source += escapeRegex(char);
    }
  }
  return new RegExp(`${source}$`, 'su');
}

function matchObject(matcher: ObjectMatcher, value: unknown): boolean {
  if (Array.isArray(value)) {
    // An object pattern over an array of objects matches when one element satisfies the whole sub-pattern, so two
    // fields are never satisfied by two different elements (AWS's "array consistency").
    const elements = objectsIn(value);
    if (elements.length > 0) return elements.some((element) => matchFields(matcher, element));
    return matchFields(matcher, undefined);
  }
  return matchFields(matcher, isPlainObject(value) ? value : undefined);
}

function matchFields(matcher: ObjectMatcher, object: Record<string, unknown> | undefined): boolean {
  for (const field of matcher.fields) {
    const child = object !== undefined && Object.hasOwn(object, field.key) ? object[field.key] : undefined;
    const ok =
      field.kind === 'object' ? matchObject(field.matcher, child) : matchLeaf(field.conditions, leavesOf(child));
    if (!ok) return false;
  }
  return matcher.ors.every((alternatives) => alternatives.some((alternative) => matchFields(alternative, object)));
}

function matchLeaf(conditions: Condition[], values: Leaf[]): boolean {
  if (values.length === 0) return conditions.some((condition) => condition.kind === 'exists' && !condition.exists);
  return conditions.some((condition) =>
    condition.kind === 'exists' ? condition.exists : values.some((value) => condition.test(value)),
  );
}

/**
 * The leaf values at a path: a scalar, or the scalars of an array (nested arrays flattened). Objects are not leaves,
 * which is why `exists` only sees leaf nodes: `exists: true` fails on an object and `exists: false` matches it.
 */
function leavesOf(value: unknown): Leaf[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((element) => leavesOf(element));
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return [value];
  }
  return [];
}

function objectsIn(values: unknown[]): Record<string, unknown>[] {
  return values.flatMap((value) => (Array.isArray(value) ? objectsIn(value) : isPlainObject(value) ? [value] : []));
}

function valueCondition(test: (value: Leaf) => boolean): Condition {
  return { kind: 'value', test };
}

function requireString(value: unknown, operator: string, path: string): string {
  if (typeof value !== 'string') throw new InvalidEventPatternError(`${operator} match pattern must be a string`, path);
  return value;
}

function stringOrStrings(value: unknown, operator: string, path: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')) return value;
  throw new InvalidEventPatternError(`${operator} match pattern must be a string or a non-empty list of strings`, path);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function fold(text: string): string {
  return text.toLowerCase();
}

function sameIgnoringCase(left: string, right: string): boolean {
  return fold(left) === fold(right);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

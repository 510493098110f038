// PartiQL for DynamoDB (ExecuteStatement, BatchExecuteStatement), the subset the DOM and most single-item code use:
//   INSERT INTO t VALUE { 'a' : v, ... }                 -> PutItem, the item must not exist (else DuplicateItem)
//   UPDATE t SET p = v [SET p = v | , p = v] [REMOVE p] WHERE <key equalities> [AND <conditions>]
//                                                          -> UpdateItem, the item must exist (else ConditionalCheckFailed)
//   DELETE FROM t WHERE <key equalities> [AND <conditions>] -> DeleteItem
//   SELECT * FROM t WHERE <key equalities>                 -> GetItem
// where v is `?` (the next parameter), a string, number, boolean, NULL, map or list literal, and a condition is
// `path <op> v` (=, <>, !=, <, <=, >, >=), `path IS [NOT] MISSING`, or attribute_exists / attribute_not_exists(path).
// Statements become the equivalent item request, validated by dynalite's own validations, so conditions and updates
// behave exactly as UpdateItem's. A batch's writes go through the write path together, each with its own outcome, as
// on AWS (not a transaction). Anything outside the subset is refused with a ValidationException naming it.
import { dynaliteDb, runAction, validateRequest, type ApiError, type Item, type Request, type StoreLike, type TableDescription } from './dynalite.ts';
import { apiError, validationException } from './errors.ts';
import type { Store } from './store.ts';
import type { WriteOp, WritePath } from './write-path.ts';

type Attr = Record<string, unknown>;
type Value =
  | { kind: 'param' }
  | { kind: 'literal'; attr: Attr }
  | { kind: 'map'; entries: [string, Value][] }
  | { kind: 'list'; items: Value[] };
type Path = (string | number)[];
type Comparison = '=' | '<>' | '<' | '<=' | '>' | '>=';
type Condition = { kind: 'compare'; path: Path; op: Comparison; value: Value } | { kind: 'exists'; path: Path; exists: boolean };

export type Statement =
  | { kind: 'insert'; table: string; item: Value }
  | { kind: 'update'; table: string; set: { path: Path; value: Value }[]; remove: Path[]; where: Condition[] }
  | { kind: 'delete'; table: string; where: Condition[] }
  | { kind: 'select'; table: string; where: Condition[] };

const MAX_BATCH = 25;
const PARSE_CACHE_SIZE = 1000;

// ---------------------------------------------------------------------------------------------------------- parsing

type Token = { type: 'word' | 'ident' | 'string' | 'number' | 'punct'; text: string };

const PUNCTUATION = ['<>', '!=', '<=', '>=', '=', '<', '>', ',', '{', '}', ':', '.', '[', ']', '(', ')', '?', '*'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const quoted = (quote: string): string => {
    let out = '';
    for (i++; ; i++) {
      if (i >= text.length) throw validationException(`Statement wasn't well formed: unterminated ${quote === '"' ? 'identifier' : 'string'}`);
      if (text[i] === quote) {
        if (text[i + 1] === quote) {
          out += quote;
          i++;
          continue;
        }
        i++;
        return out;
      }
      out += text[i];
    }
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      tokens.push({ type: 'ident', text: quoted('"') });
    } else if (c === "'") {
      tokens.push({ type: 'string', text: quoted("'") });
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))![0];
      tokens.push({ type: 'word', text: word });
      i += word.length;
    } else if (/[-0-9]/.test(c)) {
      const number = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i))?.[0];
      if (!number) throw validationException(`Statement wasn't well formed: unexpected '${c}'`);
      tokens.push({ type: 'number', text: number });
      i += number.length;
    } else {
      const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
      if (!punct) throw validationException(`Statement wasn't well formed: unexpected '${c}'`);
      tokens.push({ type: 'punct', text: punct });
      i += punct.length;
    }
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  statement(): Statement {
    const verb = this.keyword();
    switch (verb) {
      case 'INSERT': {
        this.expectKeyword('INTO');
        const table = this.name();
        this.expectKeyword('VALUE');
        const item = this.value();
        if (item.kind !== 'map') throw this.unsupported('INSERT takes one map value');
        return this.end({ kind: 'insert', table, item });
      }
      case 'UPDATE': {
        const table = this.name();
        const set: { path: Path; value: Value }[] = [];
        const remove: Path[] = [];
        for (let clause = this.keyword(); clause !== 'WHERE'; clause = this.keyword()) {
          if (clause === 'SET') {
            do {
              const path = this.path();
              this.expect('=');
              set.push({ path, value: this.value() });
            } while (this.accept(','));
          } else if (clause === 'REMOVE') {
            do remove.push(this.path());
            while (this.accept(','));
          } else {
            throw this.unsupported(`${clause} in UPDATE`);
          }
        }
        if (!set.length && !remove.length) throw this.unsupported('UPDATE without SET or REMOVE');
        return this.end({ kind: 'update', table, set, remove, where: this.conditions() });
      }
      case 'DELETE': {
        this.expectKeyword('FROM');
        const table = this.name();
        this.expectKeyword('WHERE');
        return this.end({ kind: 'delete', table, where: this.conditions() });
      }
      case 'SELECT': {
        this.expect('*');
        this.expectKeyword('FROM');
        const table = this.name();
        this.expectKeyword('WHERE');
        return this.end({ kind: 'select', table, where: this.conditions() });
      }
      default:
        throw this.unsupported(verb);
    }
  }

  private conditions(): Condition[] {
    const conditions = [this.condition()];
    while (this.peek()?.type === 'word' && this.peek()!.text.toUpperCase() === 'AND') {
      this.at++;
      conditions.push(this.condition());
    }
    return conditions;
  }

  private condition(): Condition {
    const head = this.peek();
    if (head?.type === 'word' && /^attribute_(not_)?exists$/i.test(head.text) && this.tokens[this.at + 1]?.text === '(') {
      this.at += 2;
      const path = this.path();
      this.expect(')');
      return { kind: 'exists', path, exists: head.text.toLowerCase() === 'attribute_exists' };
    }
    const path = this.path();
    const next = this.peek();
    if (next?.type === 'word' && next.text.toUpperCase() === 'IS') {
      this.at++;
      const not = this.acceptKeyword('NOT');
      this.expectKeyword('MISSING');
      return { kind: 'exists', path, exists: not };
    }
    const op = this.next();
    if (op?.type !== 'punct' || !['=', '<>', '!=', '<', '<=', '>', '>='].includes(op.text)) throw this.unsupported(op ? `'${op.text}' in WHERE` : 'an incomplete WHERE');
    return { kind: 'compare', path, op: (op.text === '!=' ? '<>' : op.text) as Comparison, value: this.value() };
  }

  private value(): Value {
    const token = this.next();
    if (!token) throw validationException("Statement wasn't well formed: a value is missing");
    if (token.type === 'punct' && token.text === '?') return { kind: 'param' };
    if (token.type === 'string') return { kind: 'literal', attr: { S: token.text } };
    if (token.type === 'number') return { kind: 'literal', attr: { N: token.text } };
    if (token.type === 'word') {
      const word = token.text.toUpperCase();
      if (word === 'TRUE' || word === 'FALSE') return { kind: 'literal', attr: { BOOL: word === 'TRUE' } };
      if (word === 'NULL') return { kind: 'literal', attr: { NULL: true } };
    }
    if (token.type === 'punct' && token.text === '{') {
      const entries: [string, Value][] = [];
      if (!this.accept('}')) {
        do {
          const key = this.next();
          if (key?.type !== 'string') throw this.unsupported('a map key that is not a string literal');
          this.expect(':');
          entries.push([key.text, this.value()]);
        } while (this.accept(','));
        this.expect('}');
      }
      return { kind: 'map', entries };
    }
    if (token.type === 'punct' && token.text === '[') {
      const items: Value[] = [];
      if (!this.accept(']')) {
        do items.push(this.value());
        while (this.accept(','));
        this.expect(']');
      }
      return { kind: 'list', items };
    }
    throw this.unsupported(`the value '${token.text}'`);
  }

  private path(): Path {
    const path: Path = [this.name()];
    for (;;) {
      if (this.accept('.')) path.push(this.name());
      else if (this.accept('[')) {
        const index = this.next();
        if (index?.type !== 'number' || !/^\d+$/.test(index.text)) throw this.unsupported('a list index that is not a number');
        path.push(Number(index.text));
        this.expect(']');
      } else return path;
    }
  }

  private name(): string {
    const token = this.next();
    if (token?.type === 'ident' || token?.type === 'word') return token.text;
    throw validationException(`Statement wasn't well formed: expected a name${token ? `, found '${token.text}'` : ''}`);
  }

  private keyword(): string {
    const token = this.next();
    if (token?.type !== 'word') throw validationException(`Statement wasn't well formed: expected a keyword${token ? `, found '${token.text}'` : ''}`);
    return token.text.toUpperCase();
  }

  private expectKeyword(word: string): void {
    if (this.keyword() !== word) throw validationException(`Statement wasn't well formed: expected ${word}`);
  }

  private acceptKeyword(word: string): boolean {
    const token = this.peek();
    if (token?.type === 'word' && token.text.toUpperCase() === word) {
      this.at++;
      return true;
    }
    return false;
  }

  private expect(punct: string): void {
    if (!this.accept(punct)) throw validationException(`Statement wasn't well formed: expected '${punct}'${this.peek() ? `, found '${this.peek()!.text}'` : ''}`);
  }

  private accept(punct: string): boolean {
    const token = this.peek();
    if (token?.type === 'punct' && token.text === punct) {
      this.at++;
      return true;
    }
    return false;
  }

  private end<S extends Statement>(statement: S): S {
    const rest = this.peek();
    if (rest) throw this.unsupported(rest.type === 'word' ? rest.text.toUpperCase() : `'${rest.text}'`);
    return statement;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private next(): Token | undefined {
    return this.tokens[this.at++];
  }

  private unsupported(what: string): ApiError {
    return validationException(`Statement not supported by the local DynamoDB: ${what}`);
  }
}

const parsed = new Map<string, Statement>();

/** Parses a statement; statements are parameterised, so the same few texts come back and are parsed once. */
export function parseStatement(text: string): Statement {
  const hit = parsed.get(text);
  if (hit) return hit;
  const statement = new Parser(tokenize(text)).statement();
  if (parsed.size >= PARSE_CACHE_SIZE) parsed.delete(parsed.keys().next().value!);
  parsed.set(text, statement);
  return statement;
}

// ------------------------------------------------------------------------------------------------------ translation

/** An item request (PutItem, UpdateItem, DeleteItem, GetItem) equivalent to the statement with its parameters. */
export function toItemRequest(
  statement: Statement,
  parameters: unknown[],
  keySchema: string[],
): { operation: 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'GetItem'; request: Request } {
  let next = 0;
  const resolve = (value: Value): Attr => {
    switch (value.kind) {
      case 'param': {
        if (next >= parameters.length) throw validationException('Number of parameters in request and statement don\'t match.');
        return parameters[next++] as Attr;
      }
      case 'literal':
        return value.attr;
      case 'map':
        return { M: Object.fromEntries(value.entries.map(([k, v]) => [k, resolve(v)])) };
      case 'list':
        return { L: value.items.map(resolve) };
    }
  };
  const names: Record<string, string> = {};
  const values: Record<string, Attr> = {};
  const placeholders = new Map<string, string>();
  const nameOf = (name: string) => {
    let placeholder = placeholders.get(name);
    if (placeholder === undefined) {
      placeholder = `#n${placeholders.size}`;
      placeholders.set(name, placeholder);
      names[placeholder] = name;
    }
    return placeholder;
  };
  const pathOf = (path: Path) => path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${nameOf(part)}`)).join('');
  const valueOf = (attr: Attr) => {
    const placeholder = `:v${Object.keys(values).length}`;
    values[placeholder] = attr;
    return placeholder;
  };
  const finish = (request: Request): Request => {
    if (next !== parameters.length) throw validationException('Number of parameters in request and statement don\'t match.');
    if (Object.keys(names).length) request.ExpressionAttributeNames = names;
    if (Object.keys(values).length) request.ExpressionAttributeValues = values;
    return request;
  };

  if (statement.kind === 'insert') {
    const item = resolve(statement.item).M as Item;
    return { operation: 'PutItem', request: finish({ TableName: statement.table, Item: item, ConditionExpression: `attribute_not_exists(${nameOf(keySchema[0]!)})` }) };
  }

  // Key equalities (in any order) name the item; every other condition guards the write.
  const key: Item = {};
  const guards: string[] = [];
  const setClauses = statement.kind === 'update' ? statement.set.map(({ path, value }) => ({ path, attr: resolve(value) })) : [];
  for (const condition of statement.where) {
    if (condition.kind === 'compare' && condition.op === '=' && condition.path.length === 1 && keySchema.includes(condition.path[0] as string) && !(condition.path[0] as string in key)) {
      key[condition.path[0] as string] = resolve(condition.value) as Item[string];
    } else if (condition.kind === 'compare') {
      guards.push(`${pathOf(condition.path)} ${condition.op} ${valueOf(resolve(condition.value))}`);
    } else {
      guards.push(`${condition.exists ? 'attribute_exists' : 'attribute_not_exists'}(${pathOf(condition.path)})`);
    }
  }
  const missing = keySchema.filter((name) => !(name in key));
  if (missing.length) throw validationException(`Where clause does not contain a mandatory equality on all key attributes (missing: ${missing.join(', ')})`);

  if (statement.kind === 'select') {
    if (guards.length) throw validationException('Statement not supported by the local DynamoDB: SELECT with conditions other than the key');
    return { operation: 'GetItem', request: finish({ TableName: statement.table, Key: key }) };
  }
  if (statement.kind === 'delete') {
    return { operation: 'DeleteItem', request: finish({ TableName: statement.table, Key: key, ...(guards.length ? { ConditionExpression: guards.join(' AND ') } : {}) }) };
  }
  const parts = [
    ...(setClauses.length ? [`SET ${setClauses.map(({ path, attr }) => `${pathOf(path)} = ${valueOf(attr)}`).join(', ')}`] : []),
    ...(statement.remove.length ? [`REMOVE ${statement.remove.map(pathOf).join(', ')}`] : []),
  ];
  // An UPDATE changes an existing item only: the WHERE clause must match one.
  const condition = [`attribute_exists(${nameOf(keySchema[0]!)})`, ...guards].join(' AND ');
  return { operation: 'UpdateItem', request: finish({ TableName: statement.table, Key: key, UpdateExpression: parts.join(' '), ConditionExpression: condition }) };
}

// --------------------------------------------------------------------------------------------------------- the API

type Body = Record<string, unknown>;

interface Prepared {
  statement: Statement;
  operation: 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'GetItem';
  request: Request;
  table: TableDescription;
}

export class PartiQl {
  constructor(
    private readonly store: Store,
    private readonly writePath: WritePath,
    private readonly readStore: StoreLike,
  ) {}

  async executeStatement(body: Body): Promise<Body> {
    if (body.NextToken != null || body.Limit != null) throw validationException('Statement not supported by the local DynamoDB: Limit or NextToken');
    const prepared = await this.prepare(body);
    if (prepared.operation === 'GetItem') {
      const { Item } = await this.read(prepared);
      return { Items: Item ? [Item] : [] };
    }
    const [outcome] = (await this.writePath.write([this.writeOp(prepared, body.ReturnValuesOnConditionCheckFailure === 'ALL_OLD')], true)).outcomes;
    if (!outcome!.ok) throw this.statementError(prepared, outcome!.error, outcome!.item);
    return {};
  }

  async batchExecuteStatement(body: Body): Promise<Body> {
    const statements = body.Statements;
    if (!Array.isArray(statements) || statements.length < 1 || statements.length > MAX_BATCH) {
      throw validationException(`1 validation error detected: Value at 'statements' failed to satisfy constraint: Member must have length between 1 and ${MAX_BATCH}`);
    }
    // A statement that cannot be run answers its own ValidationError; the others still run.
    const prepared = await Promise.all(
      statements.map(async (raw) => {
        try {
          return await this.prepare((raw ?? {}) as Body);
        } catch (error) {
          const type = (error as ApiError)?.body?.__type ?? '';
          const code = type.endsWith('#ValidationException') ? 'ValidationError' : type.endsWith('#ResourceNotFoundException') ? 'ResourceNotFound' : undefined;
          if (!code) throw error;
          return { error: { Code: code, Message: (error as ApiError).body?.message ?? String(error) } };
        }
      }),
    );
    const valid = prepared.filter((p): p is Prepared => !('error' in p));
    const reads = valid.filter((p) => p.operation === 'GetItem').length;
    if (reads && reads !== valid.length) throw validationException('Statements of a batch must all be reads or all be writes');

    const responses: Body[] = prepared.map((p) => ('error' in p ? { Error: p.error } : { TableName: p.table.TableName }));
    if (reads) {
      await Promise.all(
        prepared.map(async (p, i) => {
          if ('error' in p) return;
          const { Item } = await this.read(p);
          if (Item) responses[i]!.Item = Item;
        }),
      );
      return { Responses: responses };
    }

    const indexes = prepared.flatMap((p, i) => ('error' in p ? [] : [i]));
    const ops = indexes.map((i) => this.writeOp(prepared[i] as Prepared, ((statements[i] ?? {}) as Body).ReturnValuesOnConditionCheckFailure === 'ALL_OLD'));
    const keys = new Set(ops.map((op) => `${op.table.TableName}\u0000${op.key}`));
    if (keys.size !== ops.length) throw validationException('Provided list of item keys contains duplicates');
    const { outcomes } = await this.writePath.write(ops, false);
    outcomes.forEach((outcome, j) => {
      if (outcome.ok) return;
      const i = indexes[j]!;
      const error = this.statementError(prepared[i] as Prepared, outcome.error, outcome.item);
      const type = error.body?.__type ?? '';
      const code = type.endsWith('#ConditionalCheckFailedException')
        ? 'ConditionalCheckFailed'
        : type.endsWith('#DuplicateItemException')
          ? 'DuplicateItem'
          : type.endsWith('#ValidationException')
            ? 'ValidationError'
            : 'InternalServerError';
      responses[i]!.Error = { Code: code, Message: error.body?.message ?? error.message, ...(outcome.item ? { Item: outcome.item } : {}) };
    });
    return { Responses: responses };
  }

  private async prepare(body: Body): Promise<Prepared> {
    if (typeof body.Statement !== 'string' || body.Statement.length < 1 || body.Statement.length > 8192) {
      throw validationException("1 validation error detected: Value at 'statement' failed to satisfy constraint: Member must have length between 1 and 8192");
    }
    if (body.Parameters != null && !Array.isArray(body.Parameters)) throw validationException("Value at 'parameters' must be a list");
    const statement = parseStatement(body.Statement);
    const table = await this.writePath.getTable(statement.table).catch(() => {
      throw apiError('ResourceNotFoundException', `Requested resource not found: Table: ${statement.table} not found`);
    });
    const keySchema = table.KeySchema.map((k) => k.AttributeName);
    const { operation, request } = toItemRequest(statement, (body.Parameters as unknown[] | undefined) ?? [], keySchema);
    if (operation === 'GetItem' && body.ConsistentRead === true) request.ConsistentRead = true;
    const data = validateRequest(operation, request, this.store);
    const keySource = (operation === 'PutItem' ? data.Item : data.Key) as Item;
    const invalid = operation === 'PutItem' ? dynaliteDb.validateItem(keySource, table) : dynaliteDb.validateKey(keySource, table);
    if (invalid) throw invalid;
    return { statement, operation, request: data, table };
  }

  private read(prepared: Prepared): Promise<{ Item?: Item }> {
    return runAction('GetItem', this.readStore, prepared.request) as Promise<{ Item?: Item }>;
  }

  private writeOp(prepared: Prepared, returnOld: boolean): WriteOp {
    const kind = prepared.operation === 'PutItem' ? 'Put' : prepared.operation === 'UpdateItem' ? 'Update' : 'Delete';
    const keySource = (kind === 'Put' ? prepared.request.Item : prepared.request.Key) as Item;
    return { kind, table: prepared.table, key: dynaliteDb.createKey(keySource, prepared.table), data: prepared.request, returnOldOnConditionFailure: returnOld };
  }

  /** An INSERT over an existing item is a DuplicateItem, not a failed condition. */
  private statementError(prepared: Prepared, error: ApiError, item: Item | undefined): ApiError {
    const conditional = error.body?.__type.endsWith('#ConditionalCheckFailedException') === true;
    if (conditional && prepared.statement.kind === 'insert') return apiError('DuplicateItemException', 'Duplicate primary key exists in table');
    if (conditional && item && error.body) error.body = { ...error.body, Item: item };
    return error;
  }
}

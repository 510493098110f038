// The local DynamoDB's key-value store: every table row, index entry, table description, stream record and TTL setting,
// in memory, under string keys kept in order. It replaces the leveldb dynalite ships with (memory-level, or
// classic-level on disk), which JSON-encoded every value on every write and decoded it on every read, kept index
// entries as separate copies, and put a promise, a tracked operation and a setImmediate around each access.
//
// Here values are held as they are, or, for the keys the owner asks to pack (table rows and index entries), as their
// JSON text, smaller than the objects (each attribute value is an object of its own; after 3,000 orders the DynamoDB
// thread's live heap went from 136 to 102 MiB), and a read parses only the row it needs.
// A row put under several keys at once (its ALL-projection index entries) is encoded once and the text shared.
//
// Keys are ASCII (dynalite writes key values as hex or lexicographic number strings, table names are ASCII), so
// JavaScript's string order is leveldb's byte order.
//
// With a file, every batch is appended to it as one JSON line before the batch is visible (a process crash keeps every
// acknowledged write); opening replays the file and rewrites it compactly, and so does close.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export interface BatchOp {
  type: 'put' | 'del';
  key: string;
  value?: unknown;
}

export interface RangeOptions {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  reverse?: boolean;
  /** at most this many entries; absent or negative: no limit */
  limit?: number;
}

/** A journal this many bytes past its last compaction is rewritten (more often if the live data is larger). */
const COMPACT_AFTER_BYTES = 256 * 1024 * 1024;
const SNAPSHOT_OPS_PER_LINE = 1000;

export interface MemoryDbOptions {
  /** journal file (created if missing); none: in memory only */
  file?: string;
  /**
   * Keys whose values (JSON objects) are kept as JSON text: far smaller than the objects (an item's attribute values
   * are one small object each) at the price of a parse per read. The local DynamoDB keeps table rows and index entries
   * this way.
   */
  packed?: (key: string) => boolean;
}

export class MemoryDb {
  private readonly entries = new Map<string, unknown>();
  private readonly order = new SortedKeys();
  private readonly packed: (key: string) => boolean;
  private journal: Journal | undefined;

  private constructor(options: MemoryDbOptions) {
    this.packed = options.packed ?? (() => false);
  }

  static open(options: MemoryDbOptions = {}): MemoryDb {
    const db = new MemoryDb(options);
    if (options.file) db.journal = Journal.open(options.file, db, db.packed);
    return db;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): unknown {
    return this.read(key, this.entries.get(key));
  }

  put(key: string, value: unknown): void {
    this.batch([{ type: 'put', key, value }]);
  }

  del(key: string): void {
    this.batch([{ type: 'del', key }]);
  }

  /** Applies the ops in order, all visible at once (nothing else runs in between). */
  batch(ops: BatchOp[]): void {
    if (ops.length === 0) return;
    const stored = this.pack(ops);
    this.journal?.append(stored);
    this.apply(stored);
  }

  /** Applies ops without journaling them (the journal's replay). */
  restore(ops: readonly BatchOp[]): void {
    this.apply(this.pack(ops));
  }

  /**
   * Entries in key order (or reverse) within the bounds. Writes made while the iteration is suspended are seen if
   * they fall after its position, as with a live cursor (not a snapshot).
   */
  *iterator(range: RangeOptions = {}): Generator<[string, unknown]> {
    for (const key of this.order.range(range)) yield [key, this.read(key, this.entries.get(key))];
  }

  /**
   * As `iterator`, but a packed value whose JSON text lacks `needle` is skipped unparsed (values kept as objects are
   * always yielded): a sweep for one attribute reads only the rows that may have it.
   */
  *iteratorContaining(needle: string, range: RangeOptions = {}): Generator<[string, unknown]> {
    for (const key of this.order.range(range)) {
      const value = this.entries.get(key);
      if (typeof value === 'string' && this.packed(key) && !value.includes(needle)) continue;
      yield [key, this.read(key, value)];
    }
  }

  keys(range: RangeOptions = {}): Generator<string> {
    return this.order.range(range);
  }

  *values(range: RangeOptions = {}): Generator<unknown> {
    for (const key of this.order.range(range)) yield this.read(key, this.entries.get(key));
  }

  /** Entries as stored (packed values as their JSON text), in key order, for the journal. */
  *stored(): Generator<[string, unknown]> {
    for (const key of this.order.range({})) yield [key, this.entries.get(key)];
  }

  /** Rewrites the journal compactly and closes it; an in-memory store just stays as it is. */
  close(): void {
    this.journal?.close();
    this.journal = undefined;
  }

  private read(key: string, value: unknown): unknown {
    return typeof value === 'string' && this.packed(key) ? JSON.parse(value) : value;
  }

  /** The ops with packed values as text; one object put under several keys (a row and its indexes) is encoded once. */
  private pack(ops: readonly BatchOp[]): readonly BatchOp[] {
    let texts: Map<unknown, string> | undefined;
    let packedOps: BatchOp[] | undefined;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.type !== 'put' || !this.packed(op.key) || typeof op.value === 'string') continue;
      texts ??= new Map();
      let text = texts.get(op.value);
      if (text === undefined) texts.set(op.value, (text = JSON.stringify(op.value)));
      packedOps ??= ops.slice();
      packedOps[i] = { type: 'put', key: op.key, value: text };
    }
    return packedOps ?? ops;
  }

  private apply(ops: readonly BatchOp[]): void {
    for (const op of ops) {
      if (op.type === 'put') {
        if (!this.entries.has(op.key)) this.order.insert(op.key);
        this.entries.set(op.key, op.value);
      } else if (this.entries.delete(op.key)) {
        this.order.delete(op.key);
      }
    }
  }
}

/**
 * Keys in sorted order, as a list of sorted chunks (each at most 2 × CHUNK keys) with each chunk's last key indexed:
 * insert and delete cost a binary search and a move within one chunk, whatever the total size.
 */
const CHUNK = 256;

export class SortedKeys {
  private chunks: string[][] = [];
  private lasts: string[] = [];
  /** bumped on every insert and delete, so a suspended range can tell that its position may have moved */
  private version = 0;

  get size(): number {
    let n = 0;
    for (const chunk of this.chunks) n += chunk.length;
    return n;
  }

  insert(key: string): void {
    this.version++;
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.lasts.push(key);
      return;
    }
    let c = firstAtLeast(this.lasts, key, false);
    if (c === this.chunks.length) c--;
    const chunk = this.chunks[c]!;
    const at = firstAtLeast(chunk, key, false);
    if (chunk[at] === key) return;
    chunk.splice(at, 0, key);
    if (at === chunk.length - 1) this.lasts[c] = key;
    if (chunk.length > 2 * CHUNK) {
      const upper = chunk.splice(CHUNK);
      this.chunks.splice(c + 1, 0, upper);
      this.lasts.splice(c, 1, chunk[chunk.length - 1]!, upper[upper.length - 1]!);
    }
  }

  delete(key: string): void {
    const c = firstAtLeast(this.lasts, key, false);
    if (c === this.chunks.length) return;
    const chunk = this.chunks[c]!;
    const at = firstAtLeast(chunk, key, false);
    if (chunk[at] !== key) return;
    this.version++;
    chunk.splice(at, 1);
    if (chunk.length === 0) {
      this.chunks.splice(c, 1);
      this.lasts.splice(c, 1);
    } else if (at === chunk.length) {
      this.lasts[c] = chunk[chunk.length - 1]!;
    }
  }

  *range(range: RangeOptions): Generator<string> {
    const limit = range.limit !== undefined && range.limit >= 0 ? range.limit : Infinity;
    if (limit === 0) return;
    const reverse = range.reverse === true;
    // The bound the walk starts from, and the one it stops at.
    const from = reverse ? (range.lte ?? range.lt) : (range.gte ?? range.gt);
    const fromExclusive = reverse ? range.lte === undefined && range.lt !== undefined : range.gte === undefined && range.gt !== undefined;
    const to = reverse ? (range.gte ?? range.gt) : (range.lte ?? range.lt);
    const toExclusive = reverse ? range.gte === undefined && range.gt !== undefined : range.lte === undefined && range.lt !== undefined;
    const beyond = (key: string): boolean => {
      if (to === undefined) return false;
      if (reverse) return toExclusive ? key <= to : key < to;
      return toExclusive ? key >= to : key > to;
    };

    let [c, p] = reverse ? this.seekBack(from, fromExclusive) : this.seek(from, fromExclusive);
    let version = this.version;
    let count = 0;
    for (;;) {
      const chunk = this.chunks[c];
      if (chunk === undefined || p < 0 || p >= chunk.length) return;
      const key = chunk[p]!;
      if (beyond(key)) return;
      yield key;
      if (++count >= limit) return;
      if (this.version !== version) {
        // Keys moved while the caller held the cursor: find the position again from the last key handed out.
        [c, p] = reverse ? this.seekBack(key, true) : this.seek(key, true);
        version = this.version;
      } else if (reverse) {
        if (--p < 0 && --c >= 0) p = this.chunks[c]!.length - 1;
      } else if (++p >= chunk.length) {
        c++;
        p = 0;
      }
    }
  }

  /** The position of the first key >= bound (> bound when exclusive); past the end if none. */
  private seek(bound: string | undefined, exclusive: boolean): [number, number] {
    if (bound === undefined) return [0, 0];
    const c = firstAtLeast(this.lasts, bound, exclusive);
    if (c === this.chunks.length) return [c, 0];
    return [c, firstAtLeast(this.chunks[c]!, bound, exclusive)];
  }

  /** The position of the last key <= bound (< bound when exclusive); before the start if none. */
  private seekBack(bound: string | undefined, exclusive: boolean): [number, number] {
    if (bound === undefined) {
      const c = this.chunks.length - 1;
      return c < 0 ? [0, -1] : [c, this.chunks[c]!.length - 1];
    }
    let [c, p] = this.seek(bound, !exclusive);
    if (--p < 0) {
      if (--c < 0) return [0, -1];
      p = this.chunks[c]!.length - 1;
    }
    return [c, p];
  }
}

/** Index of the first element >= key (> key when exclusive) in a sorted array; its length if none. */
function firstAtLeast(sorted: readonly string[], key: string, exclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = sorted[mid]!;
    if (value < key || (exclusive && value === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One JSON line per batch: `[[key, value], [key]]` (a put, a delete). A line cut short by a crash is the last one and
 * is dropped on replay: it was never acknowledged.
 */
class Journal {
  private appended = 0;
  private threshold = COMPACT_AFTER_BYTES;

  private constructor(
    private readonly file: string,
    private readonly db: MemoryDb,
    private fd: number,
    private readonly packed: (key: string) => boolean,
  ) {}

  static open(file: string, db: MemoryDb, packed: (key: string) => boolean): Journal {
    if (existsSync(file)) replay(readFileSync(file, 'utf8'), db, file);
    const journal = new Journal(file, db, -1, packed);
    journal.compact();
    return journal;
  }

  /** ops as stored: packed values are already JSON text and go into the line as they are */
  append(ops: readonly BatchOp[]): void {
    const line = `[${ops.map((op) => this.entryText(op.key, op.type === 'put', op.value)).join(',')}]\n`;
    this.appended += writeAll(this.fd, line);
    if (this.appended > this.threshold) this.compact();
  }

  close(): void {
    this.compact();
    closeSync(this.fd);
    this.fd = -1;
  }

  /** `[key, value]` (a put) or `[key]` (a delete); a packed value is JSON text already. */
  private entryText(key: string, put: boolean, value: unknown): string {
    if (!put) return JSON.stringify([key]);
    return this.packed(key) && typeof value === 'string' ? `[${JSON.stringify(key)},${value}]` : JSON.stringify([key, value]);
  }

  /** Writes the live entries to a new file, flushes it and renames it over the journal. */
  private compact(): void {
    const temporary = `${this.file}.compacting`;
    const fd = openSync(temporary, 'w');
    let written = 0;
    let line: string[] = [];
    const flush = (): void => {
      written += writeAll(fd, `[${line.join(',')}]\n`);
      line = [];
    };
    for (const [key, value] of this.db.stored()) {
      line.push(this.entryText(key, true, value));
      if (line.length >= SNAPSHOT_OPS_PER_LINE) flush();
    }
    if (line.length) flush();
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, this.file);
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
    this.appended = 0;
    this.threshold = Math.max(COMPACT_AFTER_BYTES, 2 * written);
  }
}

function replay(text: string, db: MemoryDb, file: string): void {
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if (end < 0) {
      console.warn(`[local-dynamodb] ${file}: dropped an unfinished last line (${text.length - start} bytes)`);
      return;
    }
    const entries = JSON.parse(text.slice(start, end)) as ([string, unknown] | [string])[];
    db.restore(entries.map((entry) => (entry.length === 2 ? { type: 'put', key: entry[0], value: entry[1] } : { type: 'del', key: entry[0] })));
    start = end + 1;
  }
}

function writeAll(fd: number, text: string): number {
  const buffer = Buffer.from(text);
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset);
  return buffer.length;
}

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
// acknowledged write); with `fsync`, the lines are also flushed to the disk (a machine crash keeps them) before the
// endpoint answers anyone who may have seen them. Opening replays the file, skipping and reporting lines it cannot
// read, and rewrites it compactly, and so does close.
import { appendFileSync, closeSync, existsSync, fdatasync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

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
  /**
   * Flush appended lines to the disk (fdatasync), one flush for all the batches appended while the previous one ran;
   * `whenDurable()` says when what has been appended so far is on the disk. Off: the lines reach the OS at once (a
   * process crash keeps them) but a machine crash may lose the last ones.
   */
  fsync?: boolean;
  /** Told of every journal line replay had to skip; default: a console warning. */
  onSkippedLine?: (skipped: SkippedLine) => void;
}

/** A journal line replay could not use: cut short (the last line, never acknowledged) or unreadable. */
export interface SkippedLine {
  file: string;
  /** 1-based line number */
  line: number;
  /** byte offset of the line's start in the file */
  offset: number;
  bytes: number;
  reason: 'unfinished last line' | 'corrupt line';
  /** where the skipped line's text was kept (compaction removes it from the journal) */
  keptIn: string;
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
    if (options.file) db.journal = Journal.open(options.file, db, db.packed, options.fsync === true, options.onSkippedLine ?? warnSkipped);
    return db;
  }

  /**
   * Undefined when every batch applied so far is on the disk (or the store does not fsync); otherwise a promise that
   * settles once they are. The endpoint answers a request only then, so nobody acts on a write a machine crash could
   * take back.
   */
  whenDurable(): Promise<void> | undefined {
    return this.journal?.whenDurable();
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
 * is dropped on replay: it was never acknowledged. Any other line replay cannot read is skipped and reported, and its
 * text kept beside the journal, so one bad line costs one batch, not the whole table.
 */
class Journal {
  private appended = 0;
  private threshold = COMPACT_AFTER_BYTES;
  /** batches appended, and how many of them are known to be on the disk */
  private written = 0;
  private synced = 0;
  /** the descriptor a flush is running on, -1 when none is */
  private syncingFd = -1;
  private waiters: Array<{ through: number; resolve: () => void; reject: (error: Error) => void }> = [];

  private constructor(
    private readonly file: string,
    private readonly db: MemoryDb,
    private fd: number,
    private readonly packed: (key: string) => boolean,
    private readonly fsync: boolean,
  ) {}

  static open(file: string, db: MemoryDb, packed: (key: string) => boolean, fsync: boolean, onSkipped: (skipped: SkippedLine) => void): Journal {
    if (existsSync(file)) replay(readFileSync(file), db, file, onSkipped);
    const journal = new Journal(file, db, -1, packed, fsync);
    journal.compact();
    return journal;
  }

  /** ops as stored: packed values are already JSON text and go into the line as they are */
  append(ops: readonly BatchOp[]): void {
    const line = `[${ops.map((op) => this.entryText(op.key, op.type === 'put', op.value)).join(',')}]\n`;
    this.appended += writeAll(this.fd, line);
    this.written++;
    if (this.appended > this.threshold) this.compact();
    else if (this.fsync) this.startSync();
  }

  whenDurable(): Promise<void> | undefined {
    if (!this.fsync || this.synced >= this.written) return undefined;
    const through = this.written;
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ through, resolve, reject });
      this.startSync();
    });
  }

  close(): void {
    this.compact();
    closeSync(this.fd);
    this.fd = -1;
  }

  /**
   * One fdatasync at a time, off the event loop, covering every batch appended before it started; batches appended
   * meanwhile wait for the next one (group commit: under load one flush serves many writes).
   */
  private startSync(): void {
    if (this.syncingFd >= 0 || this.synced >= this.written || this.fd < 0) return;
    const fd = (this.syncingFd = this.fd);
    const through = this.written;
    fdatasync(fd, (error) => {
      this.syncingFd = -1;
      // Compaction swapped the file while this flush ran; the old descriptor was left open for it.
      if (fd !== this.fd) closeSync(fd);
      if (error) {
        // The next append or waiter tries again; retrying here would spin on a disk that keeps failing.
        this.settle(through, error);
        return;
      }
      this.synced = Math.max(this.synced, through);
      this.settle(this.synced);
      this.startSync();
    });
  }

  private settle(through: number, error?: Error): void {
    const remaining: typeof this.waiters = [];
    for (const waiter of this.waiters) {
      if (waiter.through > through) remaining.push(waiter);
      else if (error) waiter.reject(error);
      else waiter.resolve();
    }
    this.waiters = remaining;
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
    // The rename is only on the disk once the directory is.
    if (this.fsync) syncDirectory(dirname(this.file));
    // A flush still running on the old descriptor closes it when it ends.
    if (this.fd >= 0 && this.fd !== this.syncingFd) closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
    this.appended = 0;
    this.threshold = Math.max(COMPACT_AFTER_BYTES, 2 * written);
    // Everything applied so far is in the new file, flushed.
    this.synced = this.written;
    this.settle(this.synced);
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const NEWLINE = 0x0a;

/** Replays the journal's lines in order; a line it cannot read is reported, kept aside and skipped. */
function replay(bytes: Buffer, db: MemoryDb, file: string, onSkipped: (skipped: SkippedLine) => void): void {
  const keptIn = `${file}.skipped`;
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    line++;
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline < 0 ? bytes.length : newline;
    const text = bytes.toString('utf8', start, end);
    // A line without its newline was being written when the process died: its batch was never acknowledged.
    const ops = newline < 0 ? undefined : parseLine(text);
    if (ops) {
      db.restore(ops);
    } else {
      appendFileSync(keptIn, `${text}\n`);
      onSkipped({ file, line, offset: start, bytes: end - start, reason: newline < 0 ? 'unfinished last line' : 'corrupt line', keptIn });
    }
    start = end + 1;
  }
}

/** The line's ops, or undefined when it is not a journal line (bad JSON, or not a list of `[key]` / `[key, value]`). */
function parseLine(text: string): BatchOp[] | undefined {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(entries)) return undefined;
  const ops: BatchOp[] = [];
  for (const entry of entries as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || (entry.length !== 1 && entry.length !== 2)) return undefined;
    ops.push(entry.length === 2 ? { type: 'put', key: entry[0], value: entry[1] } : { type: 'del', key: entry[0] });
  }
  return ops;
}

function warnSkipped(skipped: SkippedLine): void {
  console.warn(
    `[local-dynamodb] ${skipped.file}:${skipped.line} (byte offset ${skipped.offset}): skipped ${skipped.reason === 'corrupt line' ? 'a corrupt line' : 'an unfinished last line'} ` +
      `(${skipped.bytes} bytes, kept in ${skipped.keptIn}); the batch it held is not restored`,
  );
}

function writeAll(fd: number, text: string): number {
  const buffer = Buffer.from(text);
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset);
  return buffer.length;
}

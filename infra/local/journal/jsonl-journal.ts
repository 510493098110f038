import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface JsonlJournalOptions {
  /** Names the journal in warnings, e.g. `local-sqs`. */
  label: string;
  /**
   * The journal is rewritten from `snapshot()` once the bytes appended since the last rewrite pass both this and the
   * size of that rewrite: each rewrite then costs at most what was appended before it, whatever the live data weighs.
   */
  compactMinBytes?: number;
  /** The lines that reproduce the live state, read when the journal is rewritten. */
  snapshot(): Iterable<unknown>;
}

export interface ReplayReport {
  lines: number;
  /** Lines that did not parse: a line torn by a kill (the last one), or a corrupt one; each is skipped. */
  skipped: number;
}

const DEFAULT_COMPACT_MIN_BYTES = 8 * 1024 * 1024;

/**
 * An append-only JSON-lines journal, the on-disk half of an emulated service's in-memory state.
 *
 * Appends are buffered and written with one write() per flush: `flush()` before a request is acknowledged makes what
 * it acknowledged survive a kill of the process (the page cache outlives it); lines whose loss only costs a repeat,
 * such as "delivered" or "state entered", can wait for the flush the next turn of the event loop does. Appends are not
 * fsynced: a power loss can take the last of them. Rewrites (compaction) go to a temporary file that is fsynced and
 * renamed over the journal, so a crash leaves the old journal or the new one, never a mix.
 */
export class JsonlJournal {
  private fd: number | undefined;
  private buffer: string[] = [];
  private flushScheduled = false;
  private appendedSinceRewrite = 0;
  private lastRewriteBytes = 0;
  private closed = false;
  private readonly compactMinBytes: number;

  constructor(
    readonly path: string,
    private readonly options: JsonlJournalOptions,
  ) {
    this.compactMinBytes = options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES;
  }

  /** Hands every line that parses to `apply`, in order; call before anything is appended. */
  replay(apply: (line: unknown) => void): ReplayReport {
    mkdirSync(dirname(this.path), { recursive: true });
    const report = { lines: 0, skipped: 0 };
    if (!existsSync(this.path)) return report;
    for (const text of readFileSync(this.path, 'utf8').split('\n')) {
      if (!text.trim()) continue;
      let line: unknown;
      try {
        line = JSON.parse(text);
      } catch {
        report.skipped++;
        continue;
      }
      report.lines++;
      apply(line);
    }
    if (report.skipped > 0) {
      console.warn(`[${this.options.label}] skipped ${report.skipped} unreadable line(s) of ${this.path} (a write cut short by a crash, or corruption)`);
    }
    return report;
  }

  /** Buffers a line; it reaches the file at the next `flush()`, at the latest on the next turn of the event loop. */
  append(line: unknown): void {
    if (this.closed) return;
    this.buffer.push(JSON.stringify(line) + '\n');
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is buffered, then rewrites the journal if it has grown enough past its live data. */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    try {
      this.fd ??= openSync(this.path, 'a');
      const bytes = Buffer.from(text, 'utf8');
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
      this.appendedSinceRewrite += bytes.length;
    } catch (error) {
      console.error(`[${this.options.label}] could not append to ${this.path}: ${String(error)}`);
      return;
    }
    if (this.appendedSinceRewrite > Math.max(this.compactMinBytes, this.lastRewriteBytes)) this.rewrite();
  }

  /** Replaces the journal with the snapshot of the live state; what was buffered is in that state already. */
  rewrite(): void {
    if (this.closed) return;
    this.buffer = [];
    const temporary = `${this.path}.tmp`;
    try {
      const fd = openSync(temporary, 'w');
      let bytes = 0;
      try {
        // Written in chunks, so a large live state never becomes one huge string.
        let chunk: string[] = [];
        let chunkLength = 0;
        const writeChunk = () => {
          const data = Buffer.from(chunk.join(''), 'utf8');
          let written = 0;
          while (written < data.length) written += writeSync(fd, data, written, data.length - written);
          bytes += data.length;
          chunk = [];
          chunkLength = 0;
        };
        for (const line of this.options.snapshot()) {
          const text = JSON.stringify(line) + '\n';
          chunk.push(text);
          chunkLength += text.length;
          if (chunkLength >= 1 << 20) writeChunk();
        }
        writeChunk();
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
      renameSync(temporary, this.path);
      syncDirectory(dirname(this.path));
      this.lastRewriteBytes = bytes;
      this.appendedSinceRewrite = 0;
    } catch (error) {
      console.error(`[${this.options.label}] could not rewrite ${this.path}: ${String(error)}`);
    }
  }

  /** Flushes and stops: later appends are dropped (the state they describe is recovered from what was written). */
  close(): void {
    this.flush();
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Makes a rename durable: on Linux the new directory entry is only on disk once the directory is fsynced. */
function syncDirectory(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot open or fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryEvent } from './history.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** The input string exactly as StartExecution received it. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** Epoch milliseconds. */
  startDate: number;
  stopDate?: number;
  events: HistoryEvent[];
}

interface StoredExecution {
  seq: number;
  record: ExecutionRecord;
}

type JournalLine = { kind: 'started' | 'finished'; record: ExecutionRecord };

export const JOURNAL_FILE = 'stepfunctions-executions.jsonl';

/**
 * Executions in memory, newest kept: all running ones and the last `finishedLimit` finished ones per state machine.
 * With a data directory, starts and ends are appended to a JSONL journal so that finished executions survive a
 * restart; the journal is compacted to what is kept each time it is loaded.
 */
export class ExecutionStore {
  private readonly byArn = new Map<string, StoredExecution>();
  private readonly byMachine = new Map<string, StoredExecution[]>();
  private readonly finishedCount = new Map<string, number>();
  private seq = 0;
  private readonly journalPath: string | undefined;

  constructor(
    private readonly finishedLimit: number,
    dataDir: string | undefined,
  ) {
    this.journalPath = dataDir ? join(dataDir, JOURNAL_FILE) : undefined;
  }

  /** Reads the journal. Executions that were running when the process died are marked FAILED (they cannot resume). */
  load(now = Date.now()): void {
    if (!this.journalPath) return;
    if (!existsSync(this.journalPath)) {
      mkdirSync(join(this.journalPath, '..'), { recursive: true });
      return;
    }
    const latest = new Map<string, ExecutionRecord>();
    for (const line of readFileSync(this.journalPath, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as JournalLine;
        latest.set(entry.record.executionArn, entry.record);
      } catch {
        // A line cut short by a crash: the rest of the journal is still good.
      }
    }
    const records = [...latest.values()].sort((a, b) => a.startDate - b.startDate);
    for (const record of records) {
      if (record.status === 'RUNNING') {
        const lastId = record.events.length;
        record.status = 'FAILED';
        record.error = 'States.Runtime';
        record.cause = 'local cloud restarted';
        record.stopDate = now;
        record.events.push({
          id: lastId + 1,
          previousEventId: lastId,
          timestamp: now,
          type: 'ExecutionFailed',
          executionFailedEventDetails: { error: record.error, cause: record.cause },
        });
      }
      this.insert(record);
    }
    const kept = [...this.byArn.values()].sort((a, b) => a.seq - b.seq);
    writeFileSync(this.journalPath, kept.map((s) => JSON.stringify({ kind: 'finished', record: s.record } satisfies JournalLine) + '\n').join(''));
  }

  private insert(record: ExecutionRecord): void {
    const stored = { seq: ++this.seq, record };
    this.byArn.set(record.executionArn, stored);
    const list = this.byMachine.get(record.stateMachineArn) ?? [];
    list.push(stored);
    this.byMachine.set(record.stateMachineArn, list);
    if (record.status !== 'RUNNING') this.countFinished(record.stateMachineArn);
  }

  private countFinished(stateMachineArn: string): void {
    const count = (this.finishedCount.get(stateMachineArn) ?? 0) + 1;
    this.finishedCount.set(stateMachineArn, count);
    if (count <= this.finishedLimit) return;
    const list = this.byMachine.get(stateMachineArn) ?? [];
    const oldest = list.findIndex((s) => s.record.status !== 'RUNNING');
    if (oldest === -1) return;
    const [evicted] = list.splice(oldest, 1);
    if (evicted) this.byArn.delete(evicted.record.executionArn);
    this.finishedCount.set(stateMachineArn, count - 1);
  }

  get(executionArn: string): ExecutionRecord | undefined {
    return this.byArn.get(executionArn)?.record;
  }

  add(record: ExecutionRecord): void {
    this.insert(record);
    this.journal('started', record);
  }

  /** Call once the record carries its final status. */
  finished(record: ExecutionRecord): void {
    if (this.byArn.get(record.executionArn)?.record === record) this.countFinished(record.stateMachineArn);
    this.journal('finished', record);
  }

  /** Newest first, with a cursor (`seq`) that stays valid while executions are added. */
  list(stateMachineArn: string, filter: (r: ExecutionRecord) => boolean, limit: number, beforeSeq?: number) {
    const list = this.byMachine.get(stateMachineArn) ?? [];
    const page: ExecutionRecord[] = [];
    let lastSeqInPage: number | undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const stored = list[i];
      if (!stored || (beforeSeq !== undefined && stored.seq >= beforeSeq) || !filter(stored.record)) continue;
      if (page.length === limit) return { page, nextSeq: lastSeqInPage };
      page.push(stored.record);
      lastSeqInPage = stored.seq;
    }
    return { page, nextSeq: undefined };
  }

  running(): ExecutionRecord[] {
    return [...this.byArn.values()].map((s) => s.record).filter((r) => r.status === 'RUNNING');
  }

  /** Synchronous, so that an execution StartExecution acknowledged is on disk before the answer goes out. */
  private journal(kind: JournalLine['kind'], record: ExecutionRecord): void {
    if (!this.journalPath) return;
    try {
      appendFileSync(this.journalPath, JSON.stringify({ kind, record } satisfies JournalLine) + '\n');
    } catch (error) {
      console.error(`[local-stepfunctions] could not journal execution ${record.executionArn}: ${String(error)}`);
    }
  }

}

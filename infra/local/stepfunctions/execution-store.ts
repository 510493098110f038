import { join } from 'node:path';
import { JsonlJournal } from '../journal/jsonl-journal.ts';
import type { HistoryEvent } from './history.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** Where a redrive re-enters: the last top-level state the execution entered, with the input it entered it with. */
export interface ResumePoint {
  /** The state's name as the runner knows it. */
  state: string;
  /** The state's input as JSON text (the `input` of its StateEntered event). */
  input: string;
}

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
  /** Times the execution was redriven (after a restart of the local cloud); absent means 0. */
  redriveCount?: number;
  /** Epoch milliseconds of the last redrive. */
  redriveDate?: number;
  /** Kept while the execution runs (with a data directory), for a redrive after a restart. */
  resumeFrom?: ResumePoint;
  events: HistoryEvent[];
}

interface StoredExecution {
  seq: number;
  record: ExecutionRecord;
}

type Outcome = Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause' | 'stopDate'>;

/**
 * The journal's lines. `started`, `finished` (both also written by older versions, with the whole record) and
 * `snapshot` (a rewrite) carry a whole record; `event` appends one history event (`resume` marks a top-level state
 * entry, the point a redrive re-enters); `ended` gives the final status.
 */
type JournalLine =
  | { kind: 'started' | 'finished' | 'snapshot'; record: ExecutionRecord }
  | { kind: 'event'; arn: string; event: HistoryEvent; resume?: string }
  | { kind: 'ended'; arn: string; outcome: Outcome };

export const JOURNAL_FILE = 'stepfunctions-executions.jsonl';

export interface ExecutionStoreOptions {
  finishedLimit: number;
  dataDir?: string | undefined;
  /** See JsonlJournal: the journal is rewritten once this much (and as much as the last rewrite) has been appended. */
  compactMinBytes?: number;
}

/**
 * Executions in memory, newest kept: all running ones and the last `finishedLimit` finished ones per state machine.
 * With a data directory they are journaled: the start (before StartExecution answers), every history event and the
 * end. So finished executions survive a restart, and a running one can be redriven from the last top-level state it
 * entered. The journal is rewritten to what is kept at load and whenever it has grown past that.
 */
export class ExecutionStore {
  private readonly byArn = new Map<string, StoredExecution>();
  private readonly byMachine = new Map<string, StoredExecution[]>();
  private readonly finishedCount = new Map<string, number>();
  private seq = 0;
  private readonly finishedLimit: number;
  private readonly journal: JsonlJournal | undefined;

  constructor(options: ExecutionStoreOptions) {
    this.finishedLimit = options.finishedLimit;
    this.journal = options.dataDir
      ? new JsonlJournal(join(options.dataDir, JOURNAL_FILE), {
          label: 'local-stepfunctions',
          ...(options.compactMinBytes !== undefined ? { compactMinBytes: options.compactMinBytes } : {}),
          snapshot: () => this.snapshot(),
        })
      : undefined;
  }

  get journalPath(): string | undefined {
    return this.journal?.path;
  }

  /** Reads the journal, then rewrites it to what is kept. Executions that were running stay RUNNING, to be redriven. */
  load(): void {
    if (!this.journal) return;
    const latest = new Map<string, ExecutionRecord>();
    this.journal.replay((raw) => {
      const line = raw as JournalLine;
      if ('record' in line) {
        latest.set(line.record.executionArn, line.record);
        return;
      }
      const record = latest.get(line.arn);
      if (!record) return;
      if (line.kind === 'ended') {
        Object.assign(record, line.outcome);
        delete record.resumeFrom;
      } else if (line.kind === 'event') {
        record.events.push(line.event);
        noteEvent(record, line.event, line.resume);
      }
    });
    for (const record of [...latest.values()].sort((a, b) => a.startDate - b.startDate)) this.insert(record);
    this.journal.rewrite();
  }

  private *snapshot(): Iterable<JournalLine> {
    for (const stored of [...this.byArn.values()].sort((a, b) => a.seq - b.seq)) yield { kind: 'snapshot', record: stored.record };
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

  /** Journaled before returning, so that an execution StartExecution acknowledged is on disk before the answer goes out. */
  add(record: ExecutionRecord): void {
    this.insert(record);
    this.journal?.append({ kind: 'started', record });
    this.journal?.flush();
  }

  /**
   * Journals one history event the record already holds. `resume` (the runner's state name) marks the entry of a
   * top-level state: a redrive re-enters there. Buffered: losing the last events to a kill only moves the redrive
   * back to an earlier state, and every Task is idempotent.
   */
  event(record: ExecutionRecord, event: HistoryEvent, resume?: string): void {
    if (!this.journal) return;
    noteEvent(record, event, resume);
    this.journal.append({ kind: 'event', arn: record.executionArn, event, ...(resume !== undefined ? { resume } : {}) } satisfies JournalLine);
  }

  /** Call once the record carries its final status. */
  finished(record: ExecutionRecord): void {
    delete record.resumeFrom;
    if (this.byArn.get(record.executionArn)?.record === record) this.countFinished(record.stateMachineArn);
    const { status, output, error, cause, stopDate } = record;
    this.journal?.append({ kind: 'ended', arn: record.executionArn, outcome: { status, output, error, cause, stopDate } } satisfies JournalLine);
  }

  /** Writes what is buffered and stops journaling: what happens after (a stopping process) is not recorded. */
  close(): void {
    this.journal?.close();
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

  /** Running executions, oldest first. */
  running(): ExecutionRecord[] {
    return [...this.byArn.values()].map((s) => s.record).filter((r) => r.status === 'RUNNING');
  }
}

function noteEvent(record: ExecutionRecord, event: HistoryEvent, resume: string | undefined): void {
  if (resume !== undefined) {
    const details = event.stateEnteredEventDetails as { input?: string } | undefined;
    record.resumeFrom = { state: resume, input: details?.input ?? 'null' };
  }
  if (event.type === 'ExecutionRedriven') {
    const details = event.executionRedrivenEventDetails as { redriveCount?: number } | undefined;
    record.redriveCount = details?.redriveCount ?? (record.redriveCount ?? 0) + 1;
    record.redriveDate = event.timestamp;
  }
}

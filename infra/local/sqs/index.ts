import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createRequestHandler } from 'local-aws-sqs';
import type { QueueId, QueueSpec } from '../../topology.ts';
import { ACCOUNT_ID, REGION, localName } from '../constants.ts';
import { JsonlJournal } from '../journal/jsonl-journal.ts';

export interface LocalSqs {
  endpoint: string;
  /** The URL of each topology queue and of its dead-letter queue. */
  queueUrls: Record<QueueId, { url: string; arn: string; dlqUrl: string; dlqArn: string }>;
  /**
   * Sends a message from inside the local cloud (a bus rule's queue target), as SendMessage would, without an HTTP
   * round trip: journaled before it returns.
   */
  send(queue: QueueId, body: string): void;
  close(): Promise<void>;
}

export interface LocalSqsOptions {
  port?: number;
  host?: string;
  /** When set, the messages of the topology queues are journaled to `<dataDir>/sqs-messages.jsonl` and survive a restart. */
  dataDir?: string;
  /** The journal is rewritten once this many bytes (and as many as its last rewrite) were appended. Default 8 MiB. */
  journalCompactMinBytes?: number;
}

export const SQS_JOURNAL_FILE = 'sqs-messages.jsonl';

export function queueName(id: QueueId): string {
  return localName(id);
}

/**
 * SQS on loopback (local-aws-sqs, both the JSON and the query protocol): every topology queue with its own DLQ and
 * redrive policy, as the stateful stack creates them. In memory without a data directory; with one, messages persist
 * as a table does (see `persistMessages`).
 */
export async function startLocalSqs(queues: Record<QueueId, QueueSpec>, options: LocalSqsOptions = {}): Promise<LocalSqs> {
  let handle: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const server = createServer((req, res) => {
    if (!handle) {
      res.statusCode = 503;
      res.end();
      return;
    }
    handle(req, res).catch(() => {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const hostname = '127.0.0.1';
  const arnOf = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${name}`;
  const urlOf = (name: string) => `http://${hostname}:${port}/${ACCOUNT_ID}/${name}`;

  const initial = Object.entries(queues).flatMap(([id, spec]) => {
    const name = queueName(id as QueueId);
    return [
      { QueueName: `${name}-dlq`, Attributes: { MessageRetentionPeriod: 14 * 24 * 3600 } },
      {
        QueueName: name,
        Attributes: {
          VisibilityTimeout: spec.visibilityTimeoutSeconds,
          MessageRetentionPeriod: spec.retentionSeconds,
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(`${name}-dlq`), maxReceiveCount: spec.maxReceiveCount }),
        },
      },
    ];
  });
  const { service, requestHandler } = createRequestHandler({ port, hostname, region: REGION, accountId: ACCOUNT_ID, queues: initial, emulateQueueCreationLifecycle: false });
  const queueObjects = service.Queues as unknown as LibQueue[];
  const byName = new Map(queueObjects.map((q) => [q.QueueName, q]));
  for (const queue of queueObjects) countReceivesOnly(queue, byName);
  const journal = options.dataDir ? persistMessages(queueObjects, options.dataDir, options.journalCompactMinBytes) : undefined;
  handle = journal
    ? (req, res) => {
        // What the answer acknowledges (a sent message, a delete) is in the journal before the client can see it.
        const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
        res.end = ((...args: unknown[]) => {
          journal.flush();
          return end(...args);
        }) as ServerResponse['end'];
        return requestHandler(req, res);
      }
    : requestHandler;

  const queueUrls = Object.fromEntries(
    Object.keys(queues).map((id) => {
      const name = queueName(id as QueueId);
      return [id, { url: urlOf(name), arn: arnOf(name), dlqUrl: urlOf(`${name}-dlq`), dlqArn: arnOf(`${name}-dlq`) }];
    }),
  ) as LocalSqs['queueUrls'];

  return {
    endpoint: `http://${hostname}:${port}`,
    queueUrls,
    send(queue, body) {
      const target = byName.get(queueName(queue));
      if (!target) throw new Error(`No queue ${queue}`);
      target.setRecord({ MessageBody: body });
      journal?.flush();
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      journal?.close();
    },
  };
}

/** The parts of local-aws-sqs 2.0.2's Queue this module relies on (its record list itself is private). */
interface LibQueue {
  QueueName: string;
  VisibilityTimeout: number;
  MessageRetentionPeriod: number;
  RedrivePolicy?: { maxReceiveCount: number };
  setRecord(input: SendInput, messageId?: string): LibEntry | { record: LibRecord };
  receive(args: { VisibilityTimeout?: unknown; WaitTimeSeconds?: unknown; MaxNumberOfMessages?: unknown }): Promise<LibRecord[]>;
  delete(receiptHandle: string): boolean;
  changeVisibility(receiptHandle: string, seconds: unknown): boolean;
  clearRecords(): void;
}

/** What `setRecord` keeps for a message (returned by it, so a wrapper can hold on to it). */
interface LibEntry {
  visible: boolean;
  record: LibRecord;
}

interface LibRecord {
  MessageId: string;
  attributes: Record<string, string>;
}

interface SendInput {
  MessageBody: string;
  MessageAttributes?: unknown;
  MessageSystemAttributes?: Record<string, { DataType: string; StringValue?: string }>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  DelaySeconds?: unknown;
}

const isEntry = (value: unknown): value is LibEntry => typeof value === 'object' && value !== null && 'visible' in value;

/** The name of the queue a dead-letter move takes the message from (the library sends it on with this attribute). */
const deadLetterSource = (input: SendInput) => input.MessageSystemAttributes?.DeadLetterQueueSourceArn?.StringValue?.split(':').pop();

/** The MessageId a local-aws-sqs receipt handle carries (base64 of a UUID followed by `{date, MessageId, QueueName}`). */
function messageIdOf(receiptHandle: string): string | undefined {
  try {
    const text = Buffer.from(receiptHandle, 'base64').toString('utf8');
    const id = (JSON.parse(text.slice(text.indexOf('{'))) as { MessageId?: unknown }).MessageId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function receiptHandleFor(queue: LibQueue, messageId: string): string {
  return Buffer.from(randomUUID() + JSON.stringify({ date: Date.now(), MessageId: messageId, QueueName: queue.QueueName })).toString('base64');
}

/** Each message's library entry, to correct its receive count and to restore it. */
const entries = new WeakMap<LibQueue, Map<string, LibEntry>>();

function entriesOf(queue: LibQueue): Map<string, LibEntry> {
  let map = entries.get(queue);
  if (!map) entries.set(queue, (map = new Map()));
  return map;
}

/**
 * local-aws-sqs counts a ChangeMessageVisibility as a receive; SQS does not. Uncorrected, a consumer that backs off
 * with ChangeMessageVisibility (the webhook deliveries) sees receive counts 1, 3, 5 and reaches the DLQ's
 * maxReceiveCount after three attempts instead of five.
 */
function countReceivesOnly(queue: LibQueue, byName: Map<string, LibQueue>): void {
  const map = entriesOf(queue);
  const setRecord = queue.setRecord;
  queue.setRecord = (input, messageId) => {
    const result = setRecord(input, messageId);
    if (!isEntry(result)) return result;
    map.set(result.record.MessageId, result);
    const source = deadLetterSource(input);
    const sourceQueue = source === undefined ? undefined : byName.get(source);
    if (sourceQueue) entriesOf(sourceQueue).delete(result.record.MessageId);
    return result;
  };
  const remove = (receiptHandle: string) => {
    const id = messageIdOf(receiptHandle);
    if (id !== undefined) map.delete(id);
  };
  const deleteMessage = queue.delete.bind(queue);
  queue.delete = (receiptHandle) => {
    const deleted = deleteMessage(receiptHandle);
    remove(receiptHandle);
    return deleted;
  };
  const changeVisibility = queue.changeVisibility.bind(queue);
  queue.changeVisibility = (receiptHandle, seconds) => {
    const entry = map.get(messageIdOf(receiptHandle) ?? '');
    const count = entry?.record.attributes.ApproximateReceiveCount;
    const changed = changeVisibility(receiptHandle, seconds);
    if (entry && count !== undefined) entry.record.attributes.ApproximateReceiveCount = count;
    return changed;
  };
  const clearRecords = queue.clearRecords.bind(queue);
  queue.clearRecords = () => {
    clearRecords();
    map.clear();
  };
}

/** A message as the journal keeps it: what was sent, and where its receives have got to. */
interface StoredMessage {
  op: 'send';
  q: string;
  id: string;
  body: string;
  attrs?: unknown;
  sys?: SendInput['MessageSystemAttributes'];
  group?: string;
  dedup?: string;
  /** Epoch ms of the send; retention runs from here. */
  sentAt: number;
  /** Epoch ms before which a never-received message stays delayed. */
  delayUntil: number;
  receives: number;
  /** Epoch ms until which a received message stays invisible. */
  visibleAt?: number;
  /** The queue a dead-letter move took it from. */
  from?: string;
}

type SqsJournalLine =
  | StoredMessage
  | { op: 'recv'; q: string; id: string; n: number; until: number }
  | { op: 'vis'; q: string; id: string; until: number }
  | { op: 'del'; q: string; id: string }
  | { op: 'purge'; q: string };

const keyOf = (queue: string, id: string) => `${queue}\u0000${id}`;

/**
 * Journals every change to the queues' messages: sends (including dead-letter moves), receives, visibility changes,
 * deletes and purges; replays the journal into the queues at start. A message comes back with its receive count, its
 * remaining delay or visibility timeout and its send time (retention counts from it), and is delivered again once
 * visible: at-least-once, as SQS. A deleted message stays deleted.
 */
function persistMessages(queues: LibQueue[], dataDir: string, compactMinBytes: number | undefined): JsonlJournal {
  const live = new Map<string, StoredMessage>();
  const byName = new Map(queues.map((q) => [q.QueueName, q]));

  const journal = new JsonlJournal(join(dataDir, SQS_JOURNAL_FILE), {
    label: 'local-sqs',
    ...(compactMinBytes !== undefined ? { compactMinBytes } : {}),
    snapshot: function* () {
      const now = Date.now();
      for (const [key, message] of live) {
        const queue = byName.get(message.q);
        // Retention ended: the queue dropped it on its own timer, without telling anyone.
        if (!queue || retentionEnded(message, queue, now)) {
          live.delete(key);
          continue;
        }
        yield message;
      }
    },
  });

  journal.replay((raw) => {
    const line = raw as SqsJournalLine;
    const key = 'id' in line ? keyOf(line.q, line.id) : '';
    switch (line.op) {
      case 'send':
        if (line.from !== undefined) live.delete(keyOf(line.from, line.id));
        live.set(key, line);
        return;
      case 'recv': {
        const message = live.get(key);
        if (!message) return;
        message.receives = line.n;
        message.visibleAt = line.until;
        return;
      }
      case 'vis': {
        const message = live.get(key);
        if (message) message.visibleAt = line.until;
        return;
      }
      case 'del':
        live.delete(key);
        return;
      case 'purge':
        for (const [k, message] of live) if (message.q === line.q) live.delete(k);
        return;
    }
  });
  restore(live, byName);
  journal.rewrite();

  for (const queue of queues) {
    const setRecord = queue.setRecord;
    queue.setRecord = (input, messageId) => {
      const result = setRecord(input, messageId);
      if (!isEntry(result)) return result;
      const now = Date.now();
      const delay = Number(input.DelaySeconds);
      const source = deadLetterSource(input);
      const message: StoredMessage = {
        op: 'send',
        q: queue.QueueName,
        id: result.record.MessageId,
        body: input.MessageBody,
        ...(input.MessageAttributes !== undefined ? { attrs: input.MessageAttributes } : {}),
        ...(input.MessageSystemAttributes !== undefined ? { sys: input.MessageSystemAttributes } : {}),
        ...(input.MessageGroupId !== undefined ? { group: input.MessageGroupId } : {}),
        ...(input.MessageDeduplicationId !== undefined ? { dedup: input.MessageDeduplicationId } : {}),
        sentAt: Number(result.record.attributes.SentTimestamp) || now,
        delayUntil: now + (Number.isFinite(delay) ? delay : 0) * 1000,
        receives: 0,
        ...(source !== undefined ? { from: source } : {}),
      };
      if (source !== undefined) live.delete(keyOf(source, message.id));
      live.set(keyOf(message.q, message.id), message);
      journal.append(message);
      return result;
    };
    const receive = queue.receive.bind(queue);
    queue.receive = async (args) => {
      const records = await receive(args);
      const seconds = Number(args.VisibilityTimeout);
      const until = Date.now() + (Number.isFinite(seconds) ? seconds : queue.VisibilityTimeout) * 1000;
      for (const record of records) {
        const message = live.get(keyOf(queue.QueueName, record.MessageId));
        if (!message) continue;
        message.receives = Number(record.attributes.ApproximateReceiveCount) || message.receives + 1;
        message.visibleAt = until;
        journal.append({ op: 'recv', q: queue.QueueName, id: record.MessageId, n: message.receives, until } satisfies SqsJournalLine);
      }
      return records;
    };
    const deleteMessage = queue.delete.bind(queue);
    queue.delete = (receiptHandle) => {
      const deleted = deleteMessage(receiptHandle);
      const id = messageIdOf(receiptHandle);
      if (id !== undefined && live.delete(keyOf(queue.QueueName, id))) journal.append({ op: 'del', q: queue.QueueName, id } satisfies SqsJournalLine);
      return deleted;
    };
    const changeVisibility = queue.changeVisibility.bind(queue);
    queue.changeVisibility = (receiptHandle, seconds) => {
      const changed = changeVisibility(receiptHandle, seconds);
      const id = messageIdOf(receiptHandle);
      const message = id === undefined ? undefined : live.get(keyOf(queue.QueueName, id));
      if (changed && message && id !== undefined) {
        message.visibleAt = Date.now() + Number(seconds) * 1000;
        journal.append({ op: 'vis', q: queue.QueueName, id, until: message.visibleAt } satisfies SqsJournalLine);
      }
      return changed;
    };
    const clearRecords = queue.clearRecords.bind(queue);
    queue.clearRecords = () => {
      clearRecords();
      for (const [key, message] of live) if (message.q === queue.QueueName) live.delete(key);
      journal.append({ op: 'purge', q: queue.QueueName } satisfies SqsJournalLine);
    };
  }
  return journal;
}

/** A message older than its queue's retention period is gone, whether or not anyone received it. */
function retentionEnded(message: StoredMessage, queue: LibQueue, now: number): boolean {
  return message.sentAt + queue.MessageRetentionPeriod * 1000 < now;
}

/** Puts journaled messages back, under their MessageIds, with their send time, receive count and remaining timers. */
function restore(live: Map<string, StoredMessage>, byName: Map<string, LibQueue>): void {
  const now = Date.now();
  for (const [key, message] of live) {
    const queue = byName.get(message.q);
    if (!queue || retentionEnded(message, queue, now)) {
      live.delete(key);
      continue;
    }
    const delaySeconds = message.receives === 0 ? Math.max(0, message.delayUntil - now) / 1000 : 0;
    const restored = queue.setRecord(
      {
        MessageBody: message.body,
        ...(message.attrs !== undefined ? { MessageAttributes: message.attrs } : {}),
        ...(message.sys !== undefined ? { MessageSystemAttributes: message.sys } : {}),
        ...(message.group !== undefined ? { MessageGroupId: message.group } : {}),
        ...(message.dedup !== undefined ? { MessageDeduplicationId: message.dedup } : {}),
        DelaySeconds: delaySeconds,
      },
      message.id,
    );
    if (!isEntry(restored)) continue;
    const { attributes } = restored.record;
    attributes.SentTimestamp = String(message.sentAt);
    if (message.receives === 0) continue;
    // ChangeMessageVisibility arms the library's visibility timer, which also moves a message received
    // maxReceiveCount times to the DLQ when it expires, as it would have without the restart.
    const remaining = Math.max(0, (message.visibleAt ?? now) - now) / 1000;
    queue.changeVisibility(receiptHandleFor(queue, message.id), remaining);
    attributes.ApproximateReceiveCount = String(message.receives);
  }
}

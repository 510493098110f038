// Conformance of the local endpoint's own promise: with a dataDir, a restart keeps tables, items, unconsumed stream
// records and TTL settings; the journal under it survives a cut-off last line and a corrupt line (skipped and
// reported), is flushed to the disk before writes are answered, stays compact, and a data directory from the leveldb
// days is imported.
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireFromDynalite } from './dynalite.ts';
import { MemoryDb } from './memory-db.ts';
import { isPackedKey } from './store.ts';
import { createTable, readStream, startHarness, type Harness } from './test-support.ts';

const byteOffsetOf = (lines: string[], index: number): number => Buffer.byteLength(lines.slice(0, index).map((line) => `${line}\n`).join(''));

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-dynamodb-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('a restart with the same dataDir', () => {
  it('keeps tables, items, stream records and TTL settings, and continues the sequence numbers', async () => {
    let h: Harness = await startHarness({ dataDir });
    const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'NEW_AND_OLD_IMAGES', gsi: true });
    await h.ddb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } }));
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'T1#O1', sk: 'ORDER', gsi1pk: 'T1#NEW', gsi1sk: '1', amount: 5 } }));
    await h.doc.send(
      new UpdateCommand({ TableName: name, Key: { pk: 'T1#O1', sk: 'ORDER' }, UpdateExpression: 'SET amount = :t', ExpressionAttributeValues: { ':t': 7 } }),
    );
    const before = await readStream(h.streams, streamArn!);
    await h.close();

    h = await startHarness({ dataDir });
    try {
      const { TableNames } = await h.ddb.send(new ListTablesCommand({}));
      const { Table } = await h.ddb.send(new DescribeTableCommand({ TableName: name }));
      const { Item } = await h.doc.send(new GetCommand({ TableName: name, Key: { pk: 'T1#O1', sk: 'ORDER' } }));
      const { Items } = await h.doc.send(
        new QueryCommand({ TableName: name, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': 'T1#NEW' } }),
      );
      const ttl = await h.ddb.send(new DescribeTimeToLiveCommand({ TableName: name }));
      const after = await readStream(h.streams, streamArn!);
      await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'T1#O2', sk: 'ORDER' } }));
      const withNew = await readStream(h.streams, streamArn!);

      expect(TableNames).toContain(name);
      expect(Table?.LatestStreamArn).toBe(streamArn);
      expect(Item?.amount).toBe(7);
      expect(Items?.map((i) => i.pk)).toEqual(['T1#O1']);
      expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
      expect(before.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY']);
      expect(after).toEqual(before);
      expect(withNew).toHaveLength(3);
      expect(BigInt(withNew[2]!.dynamodb!.SequenceNumber!)).toBeGreaterThan(BigInt(before[1]!.dynamodb!.SequenceNumber!));
    } finally {
      await h.close();
    }
  });
});

describe('the journal', () => {
  it('drops a last line cut short by a crash and keeps every complete one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    const file = join(dir, 'dynamodb.jsonl');
    const db = MemoryDb.open({ file });
    db.put('a', { n: 1 });
    db.batch([
      { type: 'put', key: 'b', value: { n: 2 } },
      { type: 'del', key: 'a' },
    ]);
    // No close: the process "crashes" halfway through writing a third batch.
    await appendFile(file, '[["c",{"n":');

    const reopened = MemoryDb.open({ file });

    expect([...reopened.iterator()]).toEqual([['b', { n: 2 }]]);
    reopened.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes packed values into its lines as they are and reads them back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    const file = join(dir, 'dynamodb.jsonl');
    const packed = (key: string) => key.startsWith('row~');
    const db = MemoryDb.open({ file, packed });
    db.put('row~1', { pk: { S: 'x' } });
    db.put('meta', { n: 1 });
    db.close();

    const reopened = MemoryDb.open({ file, packed });

    expect(await readFile(file, 'utf8')).toBe(`${JSON.stringify([['meta', { n: 1 }], ['row~1', { pk: { S: 'x' } }]])}\n`);
    expect([...reopened.iterator()]).toEqual([
      ['meta', { n: 1 }],
      ['row~1', { pk: { S: 'x' } }],
    ]);
    reopened.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is rewritten with only the live entries when it is opened and closed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    const file = join(dir, 'dynamodb.jsonl');
    const db = MemoryDb.open({ file });
    for (let i = 0; i < 50; i++) db.put('counter', { n: i });
    db.put('other', { n: -1 });
    db.close();

    const lines = (await readFile(file, 'utf8')).trim().split('\n');

    expect(lines).toEqual([JSON.stringify([['counter', { n: 49 }], ['other', { n: -1 }]])]);
    expect(await readdir(dir)).toEqual(['dynamodb.jsonl']);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('a restart on a journal with a torn last line and a corrupt line in the middle', () => {
  it('skips both lines, reports each with its line and byte offset, restores everything else and keeps working', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-dynamodb-'));
    const file = join(dir, 'dynamodb.jsonl');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      let h = await startHarness({ dataDir: dir });
      const { name, streamArn } = await createTable(h.ddb, { streamViewType: 'NEW_IMAGE' });
      const put = (pk: string) => h.doc.send(new PutCommand({ TableName: name, Item: { pk, sk: 'x' } }));
      for (const pk of ['item-alpha', 'item-bravo', 'item-charlie', 'item-delta']) await put(pk);
      // What a SIGKILL leaves: every acknowledged batch appended, no compaction on the way out.
      const lines = (await readFile(file, 'utf8')).split('\n').slice(0, -1);
      await h.close();
      const corrupt = lines.findIndex((line) => line.includes('item-bravo'));
      const torn = lines.findIndex((line) => line.includes('item-delta'));
      expect(torn).toBe(lines.length - 1);
      const damaged = lines.map((line, i) => (i === corrupt ? `${line.slice(0, 40)}\u0000\u0000${line.slice(60)}` : line));
      await writeFile(file, `${damaged.slice(0, torn).join('\n')}\n${damaged[torn]!.slice(0, 50)}`);

      h = await startHarness({ dataDir: dir });
      const restored = (await h.doc.send(new ScanCommand({ TableName: name }))).Items?.map((item) => item.pk).sort();
      const streamed = (await readStream(h.streams, streamArn!)).map((record) => record.dynamodb?.Keys?.pk?.S);
      await put('item-echo');
      await h.close();
      h = await startHarness({ dataDir: dir });
      const afterSecondRestart = (await h.doc.send(new ScanCommand({ TableName: name }))).Items?.map((item) => item.pk).sort();
      await h.close();

      expect(restored).toEqual(['item-alpha', 'item-charlie']);
      expect(streamed).toEqual(['item-alpha', 'item-charlie']);
      expect(afterSecondRestart).toEqual(['item-alpha', 'item-charlie', 'item-echo']);
      const warnings = warn.mock.calls.map((call) => String(call[0]));
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toContain(`${file}:${corrupt + 1} (byte offset ${byteOffsetOf(damaged, corrupt)}): skipped a corrupt line`);
      expect(warnings[1]).toContain(`${file}:${torn + 1} (byte offset ${byteOffsetOf(damaged, torn)}): skipped an unfinished last line`);
      expect((await readFile(`${file}.skipped`, 'utf8')).split('\n')).toEqual([damaged[corrupt], damaged[torn]!.slice(0, 50), '']);
    } finally {
      warn.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a journal that flushes to the disk', () => {
  it('says a batch is durable only once its flush has finished', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    const db = MemoryDb.open({ file: join(dir, 'dynamodb.jsonl'), fsync: true });
    db.put('a', { n: 1 });
    let flushed = false;

    const durable = db.whenDurable();
    void durable?.then(() => (flushed = true));

    expect(durable).toBeInstanceOf(Promise);
    expect(flushed).toBe(false);
    await durable;
    expect(flushed).toBe(true);
    expect(db.whenDurable()).toBeUndefined();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is never waited for when it does not flush', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    const db = MemoryDb.open({ file: join(dir, 'dynamodb.jsonl'), fsync: false });
    db.put('a', { n: 1 });

    const durable = db.whenDurable();

    expect(durable).toBeUndefined();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });
});

describe('a data directory written by the leveldb store', () => {
  it('is imported once: tables and items are there, and the old directory is set aside', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-dynamodb-leveldb-'));
    let h: Harness = await startHarness({ dataDir: dir });
    const { name } = await createTable(h.ddb, {});
    await h.doc.send(new PutCommand({ TableName: name, Item: { pk: 'T1#O1', sk: 'ORDER', amount: 3 } }));
    await h.close();
    // Rebuild the directory the way the leveldb store kept it: the same keys and values in dynalite's leveldb.
    const entries = [...MemoryDb.open({ file: join(dir, 'dynamodb.jsonl'), packed: isPackedKey }).iterator()];
    await rm(join(dir, 'dynamodb.jsonl'));
    const { Level } = requireFromDynalite('level') as { Level: new (path: string, options: object) => { batch(ops: object[]): Promise<void>; close(): Promise<void> } };
    const level = new Level(join(dir, 'leveldb'), { valueEncoding: 'json' });
    await level.batch(entries.map(([key, value]) => ({ type: 'put', key, value })));
    await level.close();

    h = await startHarness({ dataDir: dir });
    try {
      const { TableNames } = await h.ddb.send(new ListTablesCommand({}));
      const { Item } = await h.doc.send(new GetCommand({ TableName: name, Key: { pk: 'T1#O1', sk: 'ORDER' } }));

      expect(TableNames).toContain(name);
      expect(Item?.amount).toBe(3);
      expect((await readdir(dir)).sort()).toEqual(['dynamodb.jsonl', 'leveldb.imported']);
    } finally {
      await h.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SfnError, type Engine } from './engine.ts';
import type { ExecutionRecord } from './execution-store.ts';
import type { HistoryEvent } from './history.ts';

type Request = Record<string, unknown>;
type Operation = (engine: Engine, request: Request) => unknown;

const TARGET_PREFIX = 'AWSStepFunctions.';

/** awsJson1_0 timestamps are epoch seconds. */
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function pageSize(value: unknown, max: number, fallback: number): number {
  if (value === undefined || value === null || value === 0) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new SfnError('ValidationException', `maxResults must be an integer between 0 and ${max}`);
  }
  return value;
}

function decodeToken(token: unknown): number | undefined {
  if (token === undefined || token === null) return undefined;
  const value = Number(Buffer.from(String(token), 'base64url').toString('utf8'));
  if (!Number.isInteger(value) || value < 0) throw new SfnError('InvalidToken', `Invalid Token: '${String(token)}'`);
  return value;
}

const encodeToken = (value: number | undefined) => (value === undefined ? undefined : Buffer.from(String(value)).toString('base64url'));

function executionSummary(record: ExecutionRecord) {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: seconds(record.startDate),
    stopDate: seconds(record.stopDate),
    redriveCount: record.redriveCount ?? 0,
    redriveDate: seconds(record.redriveDate),
  };
}

function historyEvent(event: HistoryEvent, includeExecutionData: boolean) {
  const { timestamp, ...rest } = event;
  if (includeExecutionData) return { ...rest, timestamp: seconds(timestamp) };
  // includeExecutionData=false drops inputs, outputs and parameters, as on AWS.
  const stripped: Record<string, unknown> = { ...rest, timestamp: seconds(timestamp) };
  for (const [key, value] of Object.entries(rest)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    const { input: _i, output: _o, parameters: _p, ...keep } = value as Record<string, unknown>;
    stripped[key] = keep;
  }
  return stripped;
}

const operations: Record<string, Operation> = {
  ListStateMachines(engine, request) {
    const limit = pageSize(request.maxResults, 1000, 100);
    const start = decodeToken(request.nextToken) ?? 0;
    const all = [...engine.machines.values()];
    const page = all.slice(start, start + limit);
    return {
      stateMachines: page.map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type ?? 'STANDARD', creationDate: seconds(m.creationDate) })),
      nextToken: start + limit < all.length ? encodeToken(start + limit) : undefined,
    };
  },
  DescribeStateMachine(engine, request) {
    const m = engine.machine(request.stateMachineArn);
    return {
      stateMachineArn: m.arn,
      name: m.name,
      status: 'ACTIVE',
      definition: m.definition,
      roleArn: m.roleArn,
      type: m.type ?? 'STANDARD',
      creationDate: seconds(m.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  },
  DescribeStateMachineForExecution(engine, request) {
    const m = engine.machine(engine.execution(request.executionArn).stateMachineArn);
    return { stateMachineArn: m.arn, name: m.name, definition: m.definition, roleArn: m.roleArn, updateDate: seconds(m.creationDate) };
  },
  StartExecution(engine, request) {
    const { executionArn, startDate } = engine.start(request.stateMachineArn, request.name, request.input);
    return { executionArn, startDate: seconds(startDate) };
  },
  DescribeExecution(engine, request) {
    const r = engine.execution(request.executionArn);
    return {
      ...executionSummary(r),
      input: r.input,
      inputDetails: { included: true },
      ...(r.output !== undefined ? { output: r.output, outputDetails: { included: true } } : {}),
      error: r.error,
      cause: r.cause,
      // Redrives happen on their own after a restart; the RedriveExecution operation is not offered.
      redriveStatus: 'NOT_REDRIVABLE',
    };
  },
  ListExecutions(engine, request) {
    const machine = engine.machine(request.stateMachineArn);
    const limit = pageSize(request.maxResults, 1000, 100);
    const status = request.statusFilter;
    if (status !== undefined && !['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'].includes(String(status))) {
      throw new SfnError('ValidationException', `Invalid statusFilter: '${String(status)}'`);
    }
    const { page, nextSeq } = engine.store.list(
      machine.arn,
      (r) => status === undefined || r.status === status,
      limit,
      decodeToken(request.nextToken),
    );
    return { executions: page.map(executionSummary), nextToken: encodeToken(nextSeq) };
  },
  GetExecutionHistory(engine, request) {
    const record = engine.execution(request.executionArn);
    const limit = pageSize(request.maxResults, 1000, 100);
    const events = request.reverseOrder === true ? [...record.events].reverse() : record.events;
    const start = decodeToken(request.nextToken) ?? 0;
    const page = events.slice(start, start + limit);
    return {
      events: page.map((e) => historyEvent(e, request.includeExecutionData !== false)),
      nextToken: start + limit < events.length ? encodeToken(start + limit) : undefined,
    };
  },
  StopExecution(engine, request) {
    return { stopDate: seconds(engine.stop(request.executionArn, request.error, request.cause)) };
  },
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The Step Functions JSON 1.0 protocol. SigV4 headers are accepted and not checked. */
export function createSfnServer(engine: Engine): Server {
  return createServer((req, res) => {
    void (async () => {
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
          throw new SfnError('UnknownOperationException', `Expected a POST with X-Amz-Target ${TARGET_PREFIX}<Operation>`);
        }
        const operation = operations[target.slice(TARGET_PREFIX.length)];
        if (!operation) throw new SfnError('UnknownOperationException', `Operation not supported locally: ${target}`);
        const text = await readBody(req);
        let request: unknown;
        try {
          request = text ? JSON.parse(text) : {};
        } catch {
          throw new SfnError('SerializationException', 'Request body is not valid JSON');
        }
        if (typeof request !== 'object' || request === null) throw new SfnError('SerializationException', 'Request body must be a JSON object');
        send(res, 200, operation(engine, request as Request));
      } catch (error) {
        if (error instanceof SfnError) {
          send(res, error.statusCode, { __type: error.type, message: error.message });
        } else {
          console.error('[local-stepfunctions] request failed:', error);
          send(res, 500, { __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) });
        }
      }
    })();
  });
}

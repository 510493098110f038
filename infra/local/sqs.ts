import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from 'local-aws-sqs';
import type { QueueId, QueueSpec } from '../topology.ts';
import { ACCOUNT_ID, REGION, localName } from './constants.ts';

export interface LocalSqs {
  endpoint: string;
  /** The URL of each topology queue and of its dead-letter queue. */
  queueUrls: Record<QueueId, { url: string; arn: string; dlqUrl: string; dlqArn: string }>;
  close(): Promise<void>;
}

export function queueName(id: QueueId): string {
  return localName(id);
}

/**
 * SQS on loopback (local-aws-sqs, both the JSON and the query protocol): every topology queue with its own DLQ and
 * redrive policy, as the stateful stack creates them. Messages live in memory, as SQS is a transport, not a store.
 */
export async function startLocalSqs(queues: Record<QueueId, QueueSpec>, options: { port?: number; host?: string } = {}): Promise<LocalSqs> {
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
  handle = createRequestHandler({ port, hostname, region: REGION, accountId: ACCOUNT_ID, queues: initial, emulateQueueCreationLifecycle: false }).requestHandler;

  const queueUrls = Object.fromEntries(
    Object.keys(queues).map((id) => {
      const name = queueName(id as QueueId);
      return [id, { url: urlOf(name), arn: arnOf(name), dlqUrl: urlOf(`${name}-dlq`), dlqArn: arnOf(`${name}-dlq`) }];
    }),
  ) as LocalSqs['queueUrls'];

  return {
    endpoint: `http://${hostname}:${port}`,
    queueUrls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

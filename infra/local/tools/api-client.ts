import http from 'node:http';
import https from 'node:https';

/**
 * A small client of the DOM's HTTP API, for tests, the demo and the benchmarks: node:http on kept-alive connections,
 * nothing hidden. (fetch cost the load generator ~1.3 ms of CPU a request, on the two cores it shares with the cloud.)
 */
export class DomApi {
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;

  constructor(
    readonly baseUrl: string,
    readonly apiKey: string,
  ) {
    this.transport = baseUrl.startsWith('https:') ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true });
  }

  /** One request; a body that is not JSON is answered as its text. `timeoutMs` fails a request with no answer by then. */
  request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs?: number): Promise<{ status: number; body: T; headers: Headers }> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = this.transport.request(
        `${this.baseUrl}${path}`,
        {
          method,
          agent: this.agent,
          ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}),
          headers: {
            authorization: `Bearer ${this.apiKey}`,
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
            }
            resolve({ status: res.statusCode!, body: parsed(text) as T, headers: responseHeaders });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Lets the process exit without waiting for idle kept-alive connections to time out. */
  close(): void {
    this.agent.destroy();
  }

  async ok<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const response = await this.request<T>(method, path, body, headers);
    if (response.status >= 300) throw new Error(`${method} ${path} -> ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }
}

function parsed(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

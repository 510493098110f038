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

  request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = this.transport.request(
        `${this.baseUrl}${path}`,
        {
          method,
          agent: this.agent,
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
            try {
              const text = Buffer.concat(chunks).toString('utf8');
              const responseHeaders = new Headers();
              for (const [name, value] of Object.entries(res.headers)) {
                for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
              }
              resolve({ status: res.statusCode!, body: (text ? JSON.parse(text) : undefined) as T, headers: responseHeaders });
            } catch (error) {
              reject(error);
            }
          });
        },
      );
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

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { GATEWAY_RESPONSE_CONTENT_TYPE, gatewayResponseBody, gatewayResponses, type GatewayResponseType } from '../../../shared/http/gateway-responses.ts';
import type { FunctionId, RouteSpec } from '../../topology.ts';
import { ACCOUNT_ID, REGION } from '../constants.ts';

/** API Gateway's payload limit. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** API Gateway's default integration timeout. */
const INTEGRATION_TIMEOUT_MS = 29_000;
const API_ID = 'local';
const STAGE = 'local';

export interface LocalApiGatewayOptions {
  port?: number;
  host?: string;
  routes: RouteSpec[];
  authorizer: FunctionId;
  /** Seconds an authorizer decision is cached per Authorization header value (the deployed API uses the same). */
  authorizerCacheSeconds: number;
  /**
   * Requests one API key (one Authorization header value) may send per trailing window before it is answered 429, as
   * the deployed API's WAF rate-based rule does; `false` turns it off. Default LOCAL_API_KEY_RATE_LIMIT.
   */
  apiKeyRateLimit?: ApiKeyRateLimit | false;
  invoke(id: FunctionId, event: unknown): Promise<unknown>;
  /**
   * Static sites served beside the API on the same port, by path prefix (`/_ops`: the ops console), as CloudFront
   * serves them beside the API on AWS. Loaded on the first request and kept; no authorizer (the pages hold no data).
   */
  staticSites?: Record<string, () => Promise<Record<string, StaticFile>>>;
  onRequest?(entry: { method: string; path: string; status: number; ms: number; requestId: string }): void;
}

export interface StaticFile {
  body: string;
  contentType: string;
}

export interface LocalApiGateway {
  url: string;
  close(): Promise<void>;
}

interface CompiledRoute {
  spec: RouteSpec;
  segments: Array<{ literal: string } | { param: string; greedy: boolean }>;
}

/** At most `limit` requests within any trailing `windowSeconds`, per API key. */
export interface ApiKeyRateLimit {
  limit: number;
  windowSeconds: number;
}

/**
 * The local gateway's limit per API key: the deployed mechanism (the manifest's `apiLimits.perApiKey`, a WAF rule)
 * with a ceiling twenty times higher, 1,000 requests/s averaged over a minute. Tests and benchmarks send hundreds of
 * orders a second from one tenant, plus the reads that follow them, and must not meet it; a client stuck in a loop
 * does. Pass the manifest's figure to see the deployed behaviour.
 */
export const LOCAL_API_KEY_RATE_LIMIT: ApiKeyRateLimit = { limit: 60_000, windowSeconds: 60 };

type AuthDecision = { allowed: true; principalId: string; context: Record<string, unknown> } | { allowed: false; type: GatewayResponseType };

/**
 * A REST API (v1 proxy integration) on loopback: the same routes, the same Lambda REQUEST authorizer with its cache,
 * the same proxy events, the same gateway responses and the same kind of request limit per API key as the deployed API.
 */
export async function startLocalApiGateway(options: LocalApiGatewayOptions): Promise<LocalApiGateway> {
  const routes = options.routes.map(compile);
  const cache = new Map<string, { decision: AuthDecision; expires: number }>();
  const rateLimit = options.apiKeyRateLimit ?? LOCAL_API_KEY_RATE_LIMIT;
  const admit = rateLimit ? perKeyLimiter(rateLimit) : () => true;

  const server: Server = createServer((req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    handle(req, res, requestId)
      .catch(() => send(res, requestId, gateway('DEFAULT_5XX', requestId)))
      .finally(() => options.onRequest?.({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode, ms: Date.now() - started, requestId }));
  });
  server.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    // WAF sees a request before API Gateway does anything with it (route, authorizer): so does the limit here. A
    // request without the header is not counted, as WAF skips requests that lack the aggregation key.
    const headers = singleHeaders(req);
    const apiKey = headerValue(headers, 'authorization');
    if (apiKey !== undefined && !admit(apiKey)) return send(res, requestId, gateway('THROTTLED', requestId));
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const site = staticSite(url.pathname);
    if (site) return serveStatic(res, requestId, method, url.pathname, site);
    const body = await readBody(req);
    if (body === 'too-large') return send(res, requestId, gateway('REQUEST_TOO_LARGE', requestId));
    const match = matchRoute(routes, method, url.pathname);
    if (!match) return send(res, requestId, gateway('MISSING_AUTHENTICATION_TOKEN', requestId));

    const event = proxyEvent(req, url, match, headers, body, requestId);
    if (match.route.spec.auth === 'apiKey') {
      const decision = await authorize(event, headers);
      if (!decision.allowed) return send(res, requestId, gateway(decision.type, requestId));
      event.requestContext.authorizer = { ...decision.context, principalId: decision.principalId, integrationLatency: 0 };
    }
    const result = await withTimeout(options.invoke(match.route.spec.function, event), INTEGRATION_TIMEOUT_MS).catch((error: unknown) =>
      error === TIMEOUT ? TIMEOUT : undefined,
    );
    if (result === TIMEOUT) return send(res, requestId, gateway('INTEGRATION_TIMEOUT', requestId));
    // A crashed handler or a malformed result is a 502 on API Gateway too.
    if (!isProxyResult(result)) return send(res, requestId, gateway('DEFAULT_5XX', requestId));
    // A revoked key must not ride on its cached Allow: here it fails at once (on AWS, once the cached decision's TTL
    // runs out). Every decision goes, as API Gateway's FlushStageAuthorizersCache does: the cache is keyed by the
    // Authorization header, and the revoked key's value is not known here.
    if (match.route.spec.revokesCredentials && result.statusCode >= 200 && result.statusCode < 300) cache.clear();
    send(res, requestId, result);
  }

  const loadedSites = new Map<string, Promise<Record<string, StaticFile>>>();
  function staticSite(pathname: string): { prefix: string; files: () => Promise<Record<string, StaticFile>> } | undefined {
    for (const [prefix, load] of Object.entries(options.staticSites ?? {})) {
      if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) continue;
      return {
        prefix,
        files: () => {
          let files = loadedSites.get(prefix);
          if (!files) loadedSites.set(prefix, (files = load()));
          return files;
        },
      };
    }
    return undefined;
  }

  async function serveStatic(res: ServerResponse, requestId: string, method: string, pathname: string, site: { prefix: string; files: () => Promise<Record<string, StaticFile>> }): Promise<void> {
    // `/_ops` itself redirects to `/_ops/`, so the page's relative links resolve under the prefix.
    if (pathname === site.prefix) return send(res, requestId, { statusCode: 302, headers: { location: `${site.prefix}/` }, body: '' });
    if (method !== 'GET' && method !== 'HEAD') return send(res, requestId, gateway('MISSING_AUTHENTICATION_TOKEN', requestId));
    const name = pathname.slice(site.prefix.length + 1) || 'index.html';
    const file = (await site.files())[name];
    if (!file) return send(res, requestId, gateway('MISSING_AUTHENTICATION_TOKEN', requestId));
    send(res, requestId, { statusCode: 200, headers: { 'content-type': file.contentType, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }, body: method === 'HEAD' ? '' : file.body });
  }

  async function authorize(event: APIGatewayProxyEvent, headers: Record<string, string>): Promise<AuthDecision> {
    const identity = headers.Authorization ?? headerValue(headers, 'authorization');
    // With an identity source configured, API Gateway refuses a request lacking it without calling the authorizer.
    if (!identity) return { allowed: false, type: 'UNAUTHORIZED' };
    const cached = cache.get(identity);
    if (cached && cached.expires > Date.now()) return evaluate(cached.decision, event);
    let decision: AuthDecision;
    try {
      const result = (await options.invoke(options.authorizer, authorizerEvent(event))) as APIGatewayAuthorizerResult;
      decision = { allowed: true, principalId: result.principalId, context: { ...(result.context ?? {}), policy: result.policyDocument } };
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (message !== 'Unauthorized') return { allowed: false, type: 'AUTHORIZER_FAILURE' };
      decision = { allowed: false, type: 'UNAUTHORIZED' };
    }
    cache.set(identity, { decision, expires: Date.now() + options.authorizerCacheSeconds * 1000 });
    if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
    return evaluate(decision, event);
  }

  await new Promise<void>((resolveListen) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

/**
 * A sliding-window counter per key: this window's count plus the previous window's, weighted by how much of it still
 * lies within the trailing window. WAF also estimates a trailing-window rate (favouring recent requests), but checks
 * it every few seconds; this checks every request. A key's windows start at its first request, so a fresh key gets
 * exactly `limit` requests in its first window. Refused requests are not counted: a client that backs off recovers
 * within one window.
 */
function perKeyLimiter({ limit, windowSeconds }: ApiKeyRateLimit, now: () => number = Date.now): (key: string) => boolean {
  const windowMs = windowSeconds * 1000;
  const counters = new Map<string, { start: number; current: number; previous: number }>();
  return (key) => {
    const t = now();
    let counter = counters.get(key);
    if (!counter) {
      // Keys not seen for two windows count nothing any more: forget them, so random header values cannot grow the map.
      if (counters.size >= 10_000) for (const [k, c] of counters) if (t - c.start >= 2 * windowMs) counters.delete(k);
      counter = { start: t, current: 0, previous: 0 };
      counters.set(key, counter);
    }
    const elapsedWindows = Math.floor((t - counter.start) / windowMs);
    if (elapsedWindows > 0) {
      counter.previous = elapsedWindows === 1 ? counter.current : 0;
      counter.current = 0;
      counter.start += elapsedWindows * windowMs;
    }
    const estimate = counter.previous * (1 - (t - counter.start) / windowMs) + counter.current;
    if (estimate >= limit) return false;
    counter.current++;
    return true;
  };
}

/** Applies the cached policy to this request's method ARN, as API Gateway re-evaluates cached policies per route. */
function evaluate(decision: AuthDecision, event: APIGatewayProxyEvent): AuthDecision {
  if (!decision.allowed) return decision;
  const { policy, ...context } = decision.context as { policy?: APIGatewayAuthorizerResult['policyDocument'] };
  const arn = methodArn(event);
  const statements = policy?.Statement ?? [];
  const matches = (s: (typeof statements)[number]) => {
    const resources = 'Resource' in s ? (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) : [];
    return resources.some((r) => wildcardMatch(String(r), arn));
  };
  if (statements.some((s) => s.Effect === 'Deny' && matches(s))) return { allowed: false, type: 'ACCESS_DENIED' };
  if (!statements.some((s) => s.Effect === 'Allow' && matches(s))) return { allowed: false, type: 'ACCESS_DENIED' };
  return { allowed: true, principalId: decision.principalId, context };
}

function wildcardMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(value);
}

function methodArn(event: APIGatewayProxyEvent): string {
  return `arn:aws:execute-api:${REGION}:${ACCOUNT_ID}:${API_ID}/${STAGE}/${event.httpMethod}${event.path}`;
}

function authorizerEvent(event: APIGatewayProxyEvent) {
  return {
    type: 'REQUEST',
    methodArn: methodArn(event),
    resource: event.resource,
    path: event.path,
    httpMethod: event.httpMethod,
    headers: event.headers,
    multiValueHeaders: event.multiValueHeaders,
    queryStringParameters: event.queryStringParameters,
    multiValueQueryStringParameters: event.multiValueQueryStringParameters,
    pathParameters: event.pathParameters,
    stageVariables: event.stageVariables,
    requestContext: event.requestContext,
  };
}

function compile(spec: RouteSpec): CompiledRoute {
  const segments = spec.path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)(\+)?\}$/.exec(segment);
      return param ? { param: param[1]!, greedy: Boolean(param[2]) } : { literal: segment };
    });
  return { spec, segments };
}

function matchRoute(routes: CompiledRoute[], method: string, pathname: string) {
  const parts = pathname.split('/').filter(Boolean);
  // Literal segments win over parameters, as in API Gateway.
  const candidates = routes
    .filter((r) => r.spec.method === method)
    .sort((a, b) => literalCount(b) - literalCount(a));
  for (const route of candidates) {
    const params = matchSegments(route, parts);
    if (params) return { route, params };
  }
  return undefined;
}

function literalCount(route: CompiledRoute): number {
  return route.segments.filter((s) => 'literal' in s).length;
}

function matchSegments(route: CompiledRoute, parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i]!;
    if ('literal' in segment) {
      if (parts[i] !== segment.literal) return undefined;
    } else if (segment.greedy) {
      if (i >= parts.length) return undefined;
      params[segment.param] = parts.slice(i).map(decodeURIComponent).join('/');
      return params;
    } else {
      if (parts[i] === undefined) return undefined;
      try {
        params[segment.param] = decodeURIComponent(parts[i]!);
      } catch {
        return undefined;
      }
    }
  }
  return parts.length === route.segments.length ? params : undefined;
}

function proxyEvent(
  req: IncomingMessage,
  url: URL,
  match: { route: CompiledRoute; params: Record<string, string> },
  headers: Record<string, string>,
  body: Buffer,
  requestId: string,
): APIGatewayProxyEvent {
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) (multiValueHeaders[req.rawHeaders[i]!] ??= []).push(req.rawHeaders[i + 1]!);
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    query[key] = value;
    (multiQuery[key] ??= []).push(value);
  }
  const contentType = headerValue(headers, 'content-type') ?? '';
  const textual = body.length === 0 || /json|text|xml|x-www-form-urlencoded/i.test(contentType) || contentType === '';
  const now = Date.now();
  return {
    resource: match.route.spec.path,
    path: url.pathname,
    httpMethod: (req.method ?? 'GET').toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters: Object.keys(match.params).length ? match.params : null,
    stageVariables: null,
    body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : null,
    isBase64Encoded: body.length > 0 && !textual,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      authorizer: undefined,
      domainName: headerValue(headers, 'host') ?? 'localhost',
      httpMethod: (req.method ?? 'GET').toUpperCase(),
      identity: {
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headerValue(headers, 'user-agent') ?? null,
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
      path: `/${STAGE}${url.pathname}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: match.route.spec.path,
      stage: STAGE,
    },
  };
}

function singleHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  // API Gateway keeps the client's header case and the last value of a repeated header.
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]!] = req.rawHeaders[i + 1]!;
  return headers;
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolveBody(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function gateway(type: GatewayResponseType, requestId: string): APIGatewayProxyResult {
  return {
    statusCode: gatewayResponses[type].status,
    headers: { 'content-type': GATEWAY_RESPONSE_CONTENT_TYPE },
    body: gatewayResponseBody(type, requestId),
  };
}

function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  return typeof value === 'object' && value !== null && typeof (value as APIGatewayProxyResult).statusCode === 'number';
}

function send(res: ServerResponse, requestId: string, result: APIGatewayProxyResult): void {
  if (res.headersSent) return;
  res.statusCode = result.statusCode;
  for (const [key, value] of Object.entries(result.headers ?? {})) res.setHeader(key, String(value));
  for (const [key, values] of Object.entries(result.multiValueHeaders ?? {})) res.setHeader(key, values.map(String));
  res.setHeader('x-amzn-RequestId', requestId);
  const body = result.body ?? '';
  res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

const TIMEOUT = Symbol('timeout');

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(TIMEOUT), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

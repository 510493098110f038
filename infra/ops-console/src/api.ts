/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** The console's link to the DOM API: URL and key from the user, kept in this tab's sessionStorage, never in the bundle. */

const STORAGE_KEY = 'dom-ops-connection';

export interface Connection {
  apiUrl: string;
  apiKey: string;
}

export function savedConnection(): Connection | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    const value = raw ? (JSON.parse(raw) as Connection) : undefined;
    return value && typeof value.apiUrl === 'string' && typeof value.apiKey === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function saveConnection(connection: Connection): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(connection));
}

export function forgetConnection(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string } | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
  }
}

export async function api<T>(connection: Connection, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${connection.apiUrl.replace(/\/+$/, '')}${path}`, {
    method,
    headers: { authorization: `Bearer ${connection.apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed as T;
}

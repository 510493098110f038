/**
 * Readable local logs: JSON log lines (Powertools' and the local cloud's own) are rewritten as one short line each;
 * anything else passes through untouched. Handlers keep logging JSON exactly as they do on Lambda.
 */
const COLORS: Record<string, string> = { DEBUG: '\x1b[90m', INFO: '\x1b[36m', WARN: '\x1b[33m', ERROR: '\x1b[31m', CRITICAL: '\x1b[31m' };
const RESET = '\x1b[0m';
const SKIPPED = new Set(['level', 'message', 'timestamp', 'service', 'sampling_rate', 'xray_trace_id', 'function_arn', 'function_memory_size', 'function_request_id', 'cold_start']);

export function formatLogLine(line: string, color: boolean): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry.level !== 'string' || typeof entry.message !== 'string') return line;
  const time = typeof entry.timestamp === 'string' ? entry.timestamp.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const source = String(entry.function_name ?? entry.service ?? '').replace(/^dom-local-/, '');
  const extras = Object.entries(entry)
    .filter(([key]) => !SKIPPED.has(key) && key !== 'function_name')
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const level = entry.level.padEnd(5);
  const coloredLevel = color ? `${COLORS[entry.level] ?? ''}${level}${RESET}` : level;
  return `${time} ${coloredLevel} ${source.padEnd(22)} ${entry.message}${extras ? `  ${extras}` : ''}`;
}

export function prettifyStdout(color = Boolean(process.stdout.isTTY)): void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const formatted = text
      .split('\n')
      .map((line) => formatLogLine(line, color))
      .join('\n');
    return (write as (c: string, ...r: unknown[]) => boolean)(formatted, ...rest);
  }) as typeof process.stdout.write;
}

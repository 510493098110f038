import { describe, expect, it } from 'vitest';
import { formatLogLine } from './pretty-log.ts';

describe('readable local logs', () => {
  it('turns a Powertools JSON line into time, level, function and message with the extra keys', () => {
    const line = JSON.stringify({
      level: 'INFO',
      message: 'Request refused',
      timestamp: '2026-11-26T18:00:01.234Z',
      service: 'dom',
      function_name: 'dom-local-get-tenant',
      cold_start: true,
      status: 401,
    });
    expect(formatLogLine(line, false)).toBe(`18:00:01.234 INFO  ${'get-tenant'.padEnd(22)} Request refused  status=401`);
  });

  it('leaves lines that are not JSON log entries untouched', () => {
    expect(formatLogLine('plain text', false)).toBe('plain text');
    expect(formatLogLine('{"not":"a log entry"}', false)).toBe('{"not":"a log entry"}');
    expect(formatLogLine('{broken', false)).toBe('{broken');
  });
});

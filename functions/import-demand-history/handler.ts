import { importDemandHistory } from '#application/demand/import-history';
import { dynamoDemandStore } from '#adapters/dynamodb/demand-store';
import { systemClock } from '#adapters/system/system';
import { demandHistoryImportSchema, demandProblem } from '#http/demand-schemas';
import { httpHandler } from '#http/handler';
import { BadRequestError, PayloadTooLargeError } from '#http/problem';
import { headerOf, MAX_BODY_BYTES, parseBody, tenantIdOf } from '#http/request';
import { json } from '#http/response';

const deps = { demand: dynamoDemandStore, clock: systemClock };

/** POST /demand-history: past sales as text/csv (the benchmark's format) or JSON rows; sets each day, never adds. */
export const handler = httpHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const csv = /^text\/csv\b/i.test(headerOf(event, 'content-type') ?? '');
  let input: { csv: string } | { rows: ReturnType<typeof demandHistoryImportSchema.parse>['rows'] };
  if (csv) {
    const raw = event.body ?? '';
    const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES} bytes`);
    if (text.trim() === '') throw new BadRequestError('The request needs a CSV body', [{ field: '', message: 'required' }]);
    input = { csv: text };
  } else {
    input = { rows: parseBody(event, demandHistoryImportSchema).rows };
  }
  const report = await importDemandHistory(deps, tenantId, input).catch(demandProblem);
  return json(200, report);
});

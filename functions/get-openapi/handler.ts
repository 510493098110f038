import { httpHandler } from '#http/handler';
import { buildOpenApiDocument } from '#http/openapi';
import { json } from '#http/response';

/** Built once per cold start: the document only changes with a deployment. */
const document = buildOpenApiDocument();

export const handler = httpHandler(async () => json(200, document, { 'cache-control': 'public, max-age=300' }));

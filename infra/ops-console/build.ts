import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, buildSync, type BuildOptions } from 'esbuild';

/**
 * The ops console as static files: index.html and one bundled app.js (esbuild, minified, no external code), so it
 * works offline and can sit in any bucket. `apiPath` is where the API is relative to the page's origin by default
 * (empty locally, where the API shares the gateway's port; `/v1` behind the CloudFront distribution).
 */
/** Where the console is served: beside the API on the local cloud's port, and under this path on CloudFront. */
export const OPS_CONSOLE_PATH = '/_ops';

export interface OpsConsoleFile {
  body: string;
  contentType: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const options: BuildOptions = { entryPoints: [join(here, 'src/main.ts')], bundle: true, minify: true, format: 'iife', target: 'es2020', write: false, legalComments: 'none' };

function files(script: string, apiPath: string): Record<string, OpsConsoleFile> {
  const html = readFileSync(join(here, 'index.html'), 'utf8').replace('{{API_PATH}}', apiPath.replace(/[^A-Za-z0-9/_.-]/g, ''));
  return { 'index.html': { body: html, contentType: 'text/html; charset=utf-8' }, 'app.js': { body: script, contentType: 'text/javascript; charset=utf-8' } };
}

export async function buildOpsConsole(apiPath = ''): Promise<Record<string, OpsConsoleFile>> {
  const result = await build(options);
  return files(result.outputFiles![0]!.text, apiPath);
}

/** The same, synchronously (CDK builds its assets while it synthesizes). */
export function buildOpsConsoleSync(apiPath = ''): Record<string, OpsConsoleFile> {
  const result = buildSync(options);
  return files(result.outputFiles![0]!.text, apiPath);
}

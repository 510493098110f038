import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root: manifest paths (handler entries, ASL files) are relative to it. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** An absolute path from a manifest path such as `functions/get-health/handler.ts`. */
export function fromRepoRoot(relativePath: string): string {
  return path.join(repoRoot, relativePath);
}

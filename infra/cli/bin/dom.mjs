#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx dom ...` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../dom.ts');

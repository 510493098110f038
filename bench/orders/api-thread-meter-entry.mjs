// An API thread of the local cloud, started by bench:orders (see api-thread-meter.ts): meters this thread, then runs
// the cloud's own entry for it, passed as the last argument.
import { register } from 'tsx/esm/api';

register();
const { meterThisApiThread } = await import('./api-thread-meter.ts');
await meterThisApiThread();
await import(process.argv.at(-1));

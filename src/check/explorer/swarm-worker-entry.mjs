// Worker-thread bootstrap: Node 20 does not apply `--import tsx` to worker threads, so register
// tsx here and then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./swarmWorker.ts');

// Worker threads do not inherit the parent's TypeScript loader: register tsx here, as bin/civicgrid.mjs does.
import { register } from 'tsx/esm/api';

register();
await import('./image-worker.ts');

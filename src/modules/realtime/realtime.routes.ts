import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';

/** Server-sent events fed by LISTEN/NOTIFY. */
export function realtimeRoutes(_app: App, _context: AppContext) {}

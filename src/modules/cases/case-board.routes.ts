import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';

/** Dispatcher board: suggestions, duplicates, watch lists. */
export function caseBoardRoutes(_app: App, _context: AppContext) {}

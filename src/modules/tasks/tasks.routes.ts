import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';

/** The grid worker's own tasks. */
export function taskRoutes(_app: App, _context: AppContext) {}

import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';

/** In-app notifications inbox. */
export function notificationRoutes(_app: App, _context: AppContext) {}

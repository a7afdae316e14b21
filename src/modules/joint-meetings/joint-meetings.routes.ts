import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';

/** Routes of this module (registered in src/http/routes.ts). */
export function jointMeetingRoutes(_app: App, _context: AppContext) {}

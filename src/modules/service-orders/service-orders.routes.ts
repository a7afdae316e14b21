import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';

/** Routes of this module (registered in src/http/routes.ts). */
export function serviceOrderRoutes(_app: App, _context: AppContext) {}

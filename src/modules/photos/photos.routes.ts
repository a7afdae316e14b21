import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';

/** Photo upload and safe serving. */
export function photoRoutes(_app: App, _context: AppContext) {}

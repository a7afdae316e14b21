import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';

/** Open311 GeoReport v2 at /open311/v2/ (JSON and XML). */
export function open311Routes(_app: App, _context: AppContext) {}

import type { ComponentType, ReactNode } from 'react';
import type { Abilities, Me } from '../api.ts';

/**
 * A console page of a community-service module. Each module folder (community/<module>/) exports
 * `routes: CommunityRoute[]` from its routes.tsx; App.tsx collects them all and puts the ones with a
 * menu label under the 社区服务 menu group. Pages are lazy, so each module is its own chunk.
 */
export interface CommunityRoute {
  path: string;
  /** Present for entries of the side menu; the key is normally the path. */
  menuKey?: string;
  label?: { zh: string; en: string };
  icon?: ReactNode;
  /** Menu position among community entries (smaller first). */
  order?: number;
  allowed: (abilities: Abilities, me: Me) => boolean;
  component: ComponentType<{ params: Record<string, string> }>;
}

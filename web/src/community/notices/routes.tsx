import { lazy } from 'react';
import { NotificationOutlined, TeamOutlined } from '@ant-design/icons';
import type { CommunityRoute } from '../registry.ts';
import { deliberationsLabel, noticesLabel } from './messages.ts';

const NoticesPage = lazy(() => import('./NoticesPage.tsx'));
const DeliberationsPage = lazy(() => import('./DeliberationsPage.tsx'));

export const routes: CommunityRoute[] = [
  { path: '/community/notices', menuKey: '/community/notices', label: noticesLabel, icon: <NotificationOutlined />, order: 90, allowed: (abilities) => abilities.viewNotices, component: NoticesPage },
  { path: '/community/deliberations', menuKey: '/community/deliberations', label: deliberationsLabel, icon: <TeamOutlined />, order: 91, allowed: (abilities) => abilities.viewDeliberations, component: DeliberationsPage },
];

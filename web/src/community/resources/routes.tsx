import { lazy } from 'react';
import { ShopOutlined } from '@ant-design/icons';
import type { CommunityRoute } from '../registry.ts';
import { menuLabel } from './messages.ts';

const SharedResourcesPage = lazy(() => import('./SharedResourcesPage.tsx'));

export const routes: CommunityRoute[] = [
  {
    path: '/community/resources',
    menuKey: '/community/resources',
    label: menuLabel,
    icon: <ShopOutlined />,
    order: 70,
    allowed: (abilities) => abilities.viewSharedResources,
    component: SharedResourcesPage,
  },
];

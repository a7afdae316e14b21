import { lazy } from 'react';
import { OrderedListOutlined } from '@ant-design/icons';
import type { CommunityRoute } from '../registry.ts';
import { menuLabel } from './messages.ts';

const CommunityListsPage = lazy(() => import('./CommunityListsPage.tsx'));

export const routes: CommunityRoute[] = [
  {
    path: '/community/lists',
    menuKey: '/community/lists',
    label: menuLabel,
    icon: <OrderedListOutlined />,
    order: 10,
    allowed: (abilities) => abilities.viewCommunityLists,
    component: CommunityListsPage,
  },
];

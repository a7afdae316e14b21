import { lazy } from 'react';
import { GiftOutlined } from '@ant-design/icons';
import type { CommunityRoute } from '../registry.ts';
import { menuLabel } from './messages.ts';

const WishWallPage = lazy(() => import('./WishWallPage.tsx'));

export const routes: CommunityRoute[] = [
  {
    path: '/community/wishes',
    menuKey: '/community/wishes',
    label: menuLabel,
    icon: <GiftOutlined />,
    order: 30,
    allowed: (abilities) => abilities.viewMicroWishes,
    component: WishWallPage,
  },
];

import { lazy } from 'react';
import { HomeOutlined } from '@ant-design/icons';
import type { CommunityRoute } from '../registry.ts';
import { menuLabel } from './messages.ts';

const GridWorkPage = lazy(() => import('./GridWorkPage.tsx'));

export const routes: CommunityRoute[] = [
  {
    path: '/community/grid-work',
    menuKey: '/community/grid-work',
    label: menuLabel,
    icon: <HomeOutlined />,
    order: 90,
    allowed: (abilities) => abilities.viewGridWork,
    component: GridWorkPage,
  },
];

import { lazy } from 'react';
import { TrophyOutlined } from '@ant-design/icons';
import type { CommunityRoute } from '../registry.ts';
import { menuLabel } from './messages.ts';

const UnitPointsPage = lazy(() => import('./UnitPointsPage.tsx'));

export const routes: CommunityRoute[] = [
  {
    path: '/community/unit-points',
    menuKey: '/community/unit-points',
    label: menuLabel,
    icon: <TrophyOutlined />,
    order: 60,
    allowed: (abilities) => abilities.viewUnitPoints,
    component: UnitPointsPage,
  },
];

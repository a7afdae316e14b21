import { lazy } from 'react';
import { FlagOutlined } from '@ant-design/icons';
import type { CommunityRoute } from '../registry.ts';
import { menuLabel } from './messages.ts';

const IncentivesPage = lazy(() => import('./IncentivesPage.tsx'));

export const routes: CommunityRoute[] = [
  {
    path: '/community/incentives',
    menuKey: '/community/incentives',
    label: menuLabel,
    icon: <FlagOutlined />,
    order: 90,
    // Shop clerks come here only for the verify screen.
    allowed: (abilities) => abilities.viewIncentives || abilities.verifyShopCodes,
    component: IncentivesPage,
  },
];

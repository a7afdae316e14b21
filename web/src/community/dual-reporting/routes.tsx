import { lazy } from 'react';
import { FlagOutlined } from '@ant-design/icons';
import type { CommunityRoute } from '../registry.ts';
import { menuLabel } from './messages.ts';

const DualReportingPage = lazy(() => import('./DualReportingPage.tsx'));

export const routes: CommunityRoute[] = [
  {
    path: '/community/dual-reporting',
    menuKey: '/community/dual-reporting',
    label: menuLabel,
    icon: <FlagOutlined />,
    order: 40,
    allowed: (abilities) => abilities.viewDualReporting,
    component: DualReportingPage,
  },
];

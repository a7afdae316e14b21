import { lazy } from 'react';
import { TeamOutlined } from '@ant-design/icons';
import type { CommunityRoute } from '../registry.ts';
import { menuLabel } from './messages.ts';

const JointMeetingsPage = lazy(() => import('./JointMeetingsPage.tsx'));

export const routes: CommunityRoute[] = [
  {
    path: '/community/joint-meetings',
    menuKey: '/community/joint-meetings',
    label: menuLabel,
    icon: <TeamOutlined />,
    order: 80,
    allowed: (abilities) => abilities.viewJointMeetings,
    component: JointMeetingsPage,
  },
];

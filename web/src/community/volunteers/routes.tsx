import { lazy } from 'react';
import { HeartOutlined } from '@ant-design/icons';
import type { CommunityRoute } from '../registry.ts';
import { menuLabel } from './messages.ts';

const VolunteersPage = lazy(() => import('./VolunteersPage.tsx'));

export const routes: CommunityRoute[] = [
  {
    path: '/community/volunteers',
    menuKey: '/community/volunteers',
    label: menuLabel,
    icon: <HeartOutlined />,
    order: 45,
    allowed: (abilities) => abilities.viewVolunteers,
    component: VolunteersPage,
  },
];

import { lazy } from 'react';
import { AppstoreOutlined, ShoppingCartOutlined, SolutionOutlined } from '@ant-design/icons';
import type { CommunityRoute } from '../registry.ts';
import { menuLabels } from './messages.ts';

const ServiceOrdersPage = lazy(() => import('./ServiceOrdersPage.tsx'));
const MyServiceOrdersPage = lazy(() => import('./MyServiceOrdersPage.tsx'));
const ServiceOfferingsPage = lazy(() => import('./ServiceOfferingsPage.tsx'));

export const routes: CommunityRoute[] = [
  {
    path: '/community/service-orders',
    menuKey: '/community/service-orders',
    label: menuLabels.orders,
    icon: <ShoppingCartOutlined />,
    order: 20,
    // Staff who read or dispatch; a party member whose only reach is their own orders gets "my orders".
    allowed: (a, me) => a.dispatchServiceOrders || (a.viewServiceOrders && !a.serveOrders && !me.partyMemberId),
    component: ServiceOrdersPage,
  },
  {
    path: '/community/my-service-orders',
    menuKey: '/community/my-service-orders',
    label: menuLabels.mine,
    icon: <SolutionOutlined />,
    order: 21,
    // abilities.serveOrders is computed from scopeFor, which ignores 'assigned' rules, so it is never true
    // yet: a login tied to a party member gets the page (the server still decides every order).
    allowed: (a, me) => a.serveOrders || (me.partyMemberId !== null && me.partyMemberId !== undefined),
    component: MyServiceOrdersPage,
  },
  {
    path: '/community/service-offerings',
    menuKey: '/community/service-offerings',
    label: menuLabels.offerings,
    icon: <AppstoreOutlined />,
    order: 22,
    // Managing the catalogue is the community's (the same roles dispatch).
    allowed: (a) => a.dispatchServiceOrders,
    component: ServiceOfferingsPage,
  },
];

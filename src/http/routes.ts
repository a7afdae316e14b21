import type { AppContext } from '../context.ts';
import type { App } from './types.ts';
import { authRoutes } from '../modules/auth/auth.routes.ts';
import { geographyRoutes, regionRoutes } from '../modules/regions/regions.routes.ts';
import { peopleRoutes } from '../modules/people/people.routes.ts';
import { partyRoutes } from '../modules/party/party.routes.ts';
import { unitRoutes } from '../modules/units/units.routes.ts';
import { userRoutes } from '../modules/users/users.routes.ts';
import { auditRoutes } from '../modules/audit/audit.routes.ts';
import { importRoutes } from '../modules/imports/import.routes.ts';
import { caseRoutes } from '../modules/cases/cases.routes.ts';
import { caseBoardRoutes } from '../modules/cases/case-board.routes.ts';
import { caseInboxRoutes } from '../modules/cases/case-inbox.routes.ts';
import { open311Routes } from '../modules/open311/open311.routes.ts';
import { photoRoutes } from '../modules/photos/photos.routes.ts';
import { residentRoutes } from '../modules/resident/resident.routes.ts';
import { realtimeRoutes } from '../modules/realtime/realtime.routes.ts';
import { taskRoutes } from '../modules/tasks/tasks.routes.ts';
import { notificationRoutes } from '../modules/notifications/notifications.routes.ts';
import { slaRoutes } from '../modules/sla/sla.routes.ts';
import { metricsRoutes } from '../modules/metrics/metrics.routes.ts';
import { metricsExportRoutes } from '../modules/metrics/metrics-export.routes.ts';
import { communityListRoutes } from '../modules/community-lists/community-lists.routes.ts';
import { noticeRoutes } from '../modules/notices/notices.routes.ts';
import { serviceOrderRoutes } from '../modules/service-orders/service-orders.routes.ts';
import { microWishRoutes } from '../modules/micro-wishes/micro-wishes.routes.ts';
import { dualReportingRoutes } from '../modules/dual-reporting/dual-reporting.routes.ts';
import { volunteerRoutes } from '../modules/volunteers/volunteers.routes.ts';
import { unitPointRoutes } from '../modules/unit-points/unit-points.routes.ts';
import { sharedResourceRoutes } from '../modules/shared-resources/shared-resources.routes.ts';
import { jointMeetingRoutes } from '../modules/joint-meetings/joint-meetings.routes.ts';
import { incentiveRoutes } from '../modules/incentives/incentives.routes.ts';
import { gridWorkRoutes } from '../modules/grid-work/grid-work.routes.ts';
import { communityMetricRoutes } from '../modules/community-metrics/community-metrics.routes.ts';

/** Every module's routes, registered in this order. */
export const routeModules: Array<(app: App, context: AppContext) => void> = [authRoutes, regionRoutes, geographyRoutes, peopleRoutes, partyRoutes, unitRoutes, userRoutes, auditRoutes, importRoutes, caseRoutes,
  caseBoardRoutes, caseInboxRoutes, realtimeRoutes, taskRoutes, photoRoutes, residentRoutes, notificationRoutes, open311Routes, slaRoutes, metricsRoutes, metricsExportRoutes,
  // Community services and co-building (issue 5)
  communityListRoutes, noticeRoutes, serviceOrderRoutes, microWishRoutes, dualReportingRoutes, volunteerRoutes, unitPointRoutes, sharedResourceRoutes, jointMeetingRoutes, incentiveRoutes, gridWorkRoutes, communityMetricRoutes];

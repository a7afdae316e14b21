import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import { chinaToday, sendLedger } from '../community/list-export.ts';
import {
  CareExportQuery,
  CareFromTagsBody,
  CareListQuery,
  CareSubjectBody,
  CareSubjectPatchBody,
  DisputeActionBody,
  DisputeBody,
  DisputeCountsQuery,
  DisputeExportQuery,
  DisputeListQuery,
  VisitBody,
  VisitExportQuery,
  VisitListQuery,
} from './grid-work.schemas.ts';
import * as service from './grid-work.service.ts';
import { careGroupWords, disputeCategoryWords, disputeStatusWords, visitPurposeWords } from './grid-work.words.ts';

/** 入户走访 (home visits), 矛盾纠纷 (the dispute register) and 关爱对象 (care lists) of grid workers. */
export function gridWorkRoutes(app: App, context: AppContext) {
  const tags = ['grid-work'];
  const base = '/api/v1/grid-work';

  app.get(`${base}/visits`, { schema: { tags, querystring: VisitListQuery, summary: 'Home visits in my area (mine=true: my own)' } }, async (request) =>
    service.listVisits(context, await authenticate(context, request), request.query),
  );
  app.get(`${base}/visits/export.xlsx`, { schema: { tags, querystring: VisitExportQuery, summary: 'The visit log (民情日志) as Excel, with the list filters' } }, async (request, reply) => {
    const batches = await service.visitExportBatches(context, await authenticate(context, request), request.query);
    return sendLedger(request, reply, {
      fileName: `入户走访台账-${chinaToday()}.xlsx`,
      asciiFileName: `home-visits-${chinaToday()}.xlsx`,
      sheetName: '入户走访',
      batches,
      columns: [
        { header: '编号', width: 10, value: (r) => r.id },
        { header: '走访时间', width: 20, value: (r) => r.visitedAt, time: true },
        { header: '网格', value: (r) => r.gridName },
        { header: '楼栋', value: (r) => r.buildingName },
        { header: '门牌', value: (r) => r.doorNumber },
        { header: '走访人', value: (r) => r.visitorName },
        { header: '目的', value: (r) => visitPurposeWords[r.purpose] ?? r.purpose },
        { header: '关爱对象', value: (r) => r.careResidentName },
        { header: '收集信息', width: 50, value: (r) => JSON.stringify(r.collected) },
        { header: '备注', width: 40, value: (r) => r.notes },
        { header: '提出需求编号', value: (r) => r.needItemId },
      ],
    });
  });
  app.post(`${base}/visits`, { schema: { tags, body: VisitBody, summary: 'Record a home visit (optionally raising a need and visiting a care subject)' } }, async (request, reply) =>
    reply.status(201).send(await service.recordVisit(context, await authenticate(context, request), request.body)),
  );
  app.get(`${base}/visits/:id`, { schema: { tags, params: IdParams, summary: 'One home visit' } }, async (request) =>
    service.visitDetail(context, await authenticate(context, request), request.params.id),
  );

  app.get(`${base}/disputes`, { schema: { tags, querystring: DisputeListQuery, summary: 'The dispute register (parties masked)' } }, async (request) =>
    service.listDisputes(context, await authenticate(context, request), request.query),
  );
  app.get(`${base}/disputes/export.xlsx`, { schema: { tags, querystring: DisputeExportQuery, summary: 'The dispute register as Excel' } }, async (request, reply) => {
    const batches = await service.disputeExportBatches(context, await authenticate(context, request), request.query);
    return sendLedger(request, reply, {
      fileName: `矛盾纠纷台账-${chinaToday()}.xlsx`,
      asciiFileName: `disputes-${chinaToday()}.xlsx`,
      sheetName: '矛盾纠纷',
      batches,
      columns: [
        { header: '编号', width: 10, value: (r) => r.id },
        { header: '发现时间', width: 20, value: (r) => r.foundAt, time: true },
        { header: '网格', value: (r) => r.gridName },
        { header: '事由', width: 30, value: (r) => r.title },
        { header: '类别', value: (r) => disputeCategoryWords[r.category] ?? r.category },
        { header: '当事人', value: (r) => r.parties },
        { header: '状态', value: (r) => disputeStatusWords[r.status] ?? r.status },
        { header: '调解人', value: (r) => r.mediator },
        { header: '化解时间', width: 20, value: (r) => r.resolvedAt, time: true },
        { header: '化解结果', width: 40, value: (r) => r.result },
        { header: '上报工单', value: (r) => r.caseNumber },
      ],
    });
  });
  app.get(`${base}/disputes/counts`, { schema: { tags, querystring: DisputeCountsQuery, summary: 'Disputes found, mediating, resolved and escalated under a node and per child node' } }, async (request) =>
    service.disputeCounts(context, await authenticate(context, request), request.query),
  );
  app.post(`${base}/disputes`, { schema: { tags, body: DisputeBody, summary: 'Register a dispute found in a grid' } }, async (request, reply) =>
    reply.status(201).send(await service.reportDispute(context, await authenticate(context, request), request.body)),
  );
  app.get(`${base}/disputes/:id`, { schema: { tags, params: IdParams, summary: 'One dispute with its timeline' } }, async (request) =>
    service.disputeDetail(context, await authenticate(context, request), request.params.id),
  );
  app.post(`${base}/disputes/:id/actions`, { schema: { tags, params: IdParams, body: DisputeActionBody, summary: 'Mediate, resolve (with the result) or escalate into a case' } }, async (request) =>
    service.actOnDispute(context, await authenticate(context, request), request.params.id, request.body),
  );

  app.get(`${base}/care-subjects`, { schema: { tags, querystring: CareListQuery, summary: 'The care list (overdue=true: visits overdue in Asia/Shanghai)' } }, async (request) =>
    service.listCareSubjects(context, await authenticate(context, request), request.query),
  );
  app.get(`${base}/care-subjects/export.xlsx`, { schema: { tags, querystring: CareExportQuery, summary: 'The care list as Excel' } }, async (request, reply) => {
    const batches = await service.careExportBatches(context, await authenticate(context, request), request.query);
    return sendLedger(request, reply, {
      fileName: `关爱对象台账-${chinaToday()}.xlsx`,
      asciiFileName: `care-list-${chinaToday()}.xlsx`,
      sheetName: '关爱对象',
      batches,
      columns: [
        { header: '编号', width: 10, value: (r) => r.id },
        { header: '姓名', value: (r) => r.residentName },
        { header: '电话', value: (r) => r.residentPhone },
        { header: '地址', width: 30, value: (r) => r.address },
        { header: '网格', value: (r) => r.gridName },
        { header: '类别', value: (r) => careGroupWords[r.careGroup] ?? r.careGroup },
        { header: '走访周期(天)', value: (r) => r.visitEveryDays },
        { header: '责任网格员', value: (r) => r.responsibleName },
        { header: '上次走访', width: 20, value: (r) => r.lastVisitAt, time: true },
        { header: '下次应访', value: (r) => r.nextVisitDue },
        { header: '逾期', value: (r) => r.overdue },
        { header: '逾期天数', value: (r) => r.daysOverdue },
        { header: '在册', value: (r) => r.active },
      ],
    });
  });
  app.post(`${base}/care-subjects`, { schema: { tags, body: CareSubjectBody, summary: 'Put a resident on the care list' } }, async (request, reply) =>
    reply.status(201).send(await service.addCareSubject(context, await authenticate(context, request), request.body)),
  );
  app.post(`${base}/care-subjects/from-tags`, { schema: { tags, body: CareFromTagsBody, summary: 'Put every resident tagged for care under a node on the care list' } }, async (request) =>
    service.careSubjectsFromTags(context, await authenticate(context, request), request.body),
  );
  app.patch(`${base}/care-subjects/:id`, { schema: { tags, params: IdParams, body: CareSubjectPatchBody, summary: 'Change the visit frequency or the responsible worker, or remove from the list' } }, async (request) =>
    service.updateCareSubject(context, await authenticate(context, request), request.params.id, request.body),
  );
}

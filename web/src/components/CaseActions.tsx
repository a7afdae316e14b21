// The action buttons of the case page and the one dialog that sends an action. Which buttons appear is
// decided by the server: `allowedActions` of the case detail (policy, holder level and transition table).
// Every action is sent with If-Match (the version shown) and an Idempotency-Key; a 409 reloads the case.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Checkbox, Empty, Input, InputNumber, Modal, Radio, Select, Space, Tag, Typography } from 'antd';
import type { CaseAction } from '../../../src/modules/cases/case-lifecycle.ts';
import { ApiError, boardApi, newIdempotencyKey, type CaseAbilities, type CaseDetailData, type CaseSuggestions, type PartyOrgItem, type UnitItem } from '../api.ts';
import { useAuth } from '../common.tsx';
import { useI18n, type MsgKey } from '../i18n.ts';

/** Button order on the page: the usual next step first. */
const ACTION_ORDER: CaseAction[] = [
  'dispatch',
  'record_contact',
  'report_in',
  'department_reply',
  'reply',
  'callback',
  'close',
  'escalate',
  'summon',
  'claim',
  'request_extension',
  'decide_extension',
  'supervise',
  'reclassify',
  'merge',
  'decline',
  'return',
  'department_return',
  'reopen',
];

const PRIMARY = new Set<CaseAction>(['dispatch', 'record_contact', 'report_in', 'department_reply', 'reply', 'callback', 'close']);
const DANGER = new Set<CaseAction>(['decline', 'return', 'department_return']);
/** Actions whose dialog needs a reason (required by the server). */
const NEEDS_REASON = new Set<CaseAction>(['decline', 'return', 'department_return', 'reclassify']);

export interface ActionRequest {
  action: CaseAction;
  /** Preset arguments (e.g. merge target from the duplicates panel). */
  preset?: Record<string, unknown>;
}

export function CaseActions({
  detail,
  extensionPending,
  suggestions,
  request,
  onRequest,
  onDone,
}: {
  detail: CaseDetailData;
  extensionPending: boolean;
  suggestions: CaseSuggestions | null;
  /** The dialog to show (opened by a button here or by the duplicates panel). */
  request: ActionRequest | null;
  onRequest: (request: ActionRequest | null) => void;
  /** After an action (done, or refused because the case changed): reload everything. */
  onDone: () => void;
}) {
  const { t } = useI18n();
  const { me } = useAuth();
  const myDepartments = useMemo(() => (me?.roles ?? []).filter((r) => r.role === 'department_staff' && r.unitId !== null).map((r) => Number(r.unitId)), [me]);
  // The department this user answers for: one of theirs that this case summons (and did not return).
  const myDepartment = detail.summonses.find((s) => s.current && !s.returned && myDepartments.includes(Number(s.departmentId)))?.departmentId ?? null;
  const allowed = new Set(detail.allowedActions);
  const actions = ACTION_ORDER.filter((action) => allowed.has(action));

  return (
    <div data-testid="case-actions">
      {actions.length === 0 ? (
        <Typography.Text type="secondary">{t('caseNoActions')}</Typography.Text>
      ) : (
        <Space wrap>
          {actions.map((action) => (
            <Button
              key={action}
              data-testid={`case-action-${action}`}
              type={PRIMARY.has(action) ? 'primary' : 'default'}
              danger={DANGER.has(action)}
              onClick={() => onRequest({ action })}
            >
              {t(`caseAction_${action}` as MsgKey)}
            </Button>
          ))}
        </Space>
      )}
      {request && (
        <ActionDialog
          key={`${request.action}-${detail.version}`}
          detail={detail}
          request={request}
          departmentId={myDepartment === null ? null : Number(myDepartment)}
          suggestions={suggestions}
          onClose={() => onRequest(null)}
          onDone={() => {
            onRequest(null);
            onDone();
          }}
        />
      )}
    </div>
  );
}

function ActionDialog({
  detail,
  request,
  departmentId,
  suggestions,
  onClose,
  onDone,
}: {
  detail: CaseDetailData;
  request: ActionRequest;
  departmentId: number | null;
  suggestions: CaseSuggestions | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const action = request.action;
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [assignee, setAssignee] = useState<number | 'auto'>(suggestions?.gridWorkers[0]?.userId ?? 'auto');
  const [departmentIds, setDepartmentIds] = useState<number[]>([]);
  const [departments, setDepartments] = useState<UnitItem[] | null>(null);
  const [partyOrgs, setPartyOrgs] = useState<PartyOrgItem[] | null>(null);
  const [partyOrgId, setPartyOrgId] = useState<number | undefined>(undefined);
  const [approved, setApproved] = useState(true);
  const [color, setColor] = useState<string>(detail.triageColor);
  const [intoCaseId, setIntoCaseId] = useState<number | null>((request.preset?.intoCaseId as number | undefined) ?? null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  // One key per dialog: pressing confirm again after a network failure repeats the same request.
  const idempotencyKey = useRef(newIdempotencyKey());

  useEffect(() => {
    if (action === 'summon') boardApi.departments().then((r) => setDepartments(r.items)).catch(() => setDepartments([]));
    if (action === 'claim') boardApi.partyOrganizations('grid_party_org').then((r) => setPartyOrgs(r.items)).catch(() => setPartyOrgs([]));
    if (action === 'close') boardApi.partyOrganizations('community_party_org').then((r) => setPartyOrgs(r.items)).catch(() => setPartyOrgs([]));
  }, [action]);
  useEffect(() => {
    if (action === 'dispatch' && assignee === 'auto' && suggestions?.gridWorkers.length) setAssignee(suggestions.gridWorkers[0].userId);
  }, [action, assignee, suggestions]);

  const body = (): Record<string, unknown> | string => {
    const trimmedNote = note.trim() || undefined;
    const trimmedReason = reason.trim();
    if (NEEDS_REASON.has(action) && !trimmedReason) return t('caseReasonRequired');
    switch (action) {
      case 'dispatch':
        return { action, note: trimmedNote, ...(assignee === 'auto' ? {} : { tasks: [{ assigneeUserId: assignee }] }) };
      case 'decline':
      case 'return':
        return { action, reason: trimmedReason, note: trimmedNote };
      case 'department_return':
        return { action, departmentId, reason: trimmedReason, note: trimmedNote };
      case 'report_in':
      case 'department_reply':
        return { action, departmentId, note: trimmedNote };
      case 'summon':
        return departmentIds.length ? { action, departmentIds, note: trimmedNote } : t('caseDepartmentsRequired');
      case 'merge':
        return intoCaseId ? { action, intoCaseId, note: trimmedNote } : t('caseMergeInto');
      case 'claim':
        return partyOrgId ? { action, partyOrganizationId: partyOrgId, note: trimmedNote } : t('casePartyOrgRequired');
      case 'close':
        return { action, note: trimmedNote, ...(partyOrgId ? { partyOrganizationId: partyOrgId } : {}) };
      case 'decide_extension':
        return { action, approved, note: trimmedNote };
      case 'reclassify':
        return { action, color, reason: trimmedReason, note: trimmedNote };
      default:
        return { action, note: trimmedNote };
    }
  };

  const submit = async () => {
    const payload = body();
    if (typeof payload === 'string') {
      setError(payload);
      return;
    }
    setSending(true);
    setError(null);
    try {
      await boardApi.caseAction(detail.id, payload as { action: string }, detail.version, idempotencyKey.current);
      message.success(t('caseActionDone', { a: t(`caseAction_${action}` as MsgKey) }));
      onDone();
    } catch (err) {
      const apiError = err instanceof ApiError ? err : null;
      if (apiError?.status === 409) {
        // Someone changed the case (or the state does not allow it any more): say so and show the case as it is now.
        message.error(t('caseConflict', { msg: apiError.message }));
        onDone();
      } else {
        setError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      setSending(false);
    }
  };

  const duplicates = suggestions?.duplicates ?? [];
  return (
    <Modal
      open
      title={`${t(`caseAction_${action}` as MsgKey)} · ${detail.number}`}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('cancel')}
        </Button>,
        <Button key="ok" type="primary" danger={DANGER.has(action)} loading={sending} onClick={() => void submit()} data-testid="case-action-confirm">
          {t('confirm')}
        </Button>,
      ]}
    >
      <Space orientation="vertical" style={{ width: "100%" }} size={12}>
        {action === 'dispatch' && (
          <div>
            <Typography.Text strong>{t('caseSuggestedWorkers')}</Typography.Text>
            {suggestions && suggestions.gridWorkers.length === 0 ? (
              <div style={{ color: '#999' }}>{t('caseNoWorkers')}</div>
            ) : (
              <Radio.Group value={assignee} onChange={(ev) => setAssignee(ev.target.value as number)} style={{ display: 'flex', flexDirection: 'column', gap: 6, marginTop: 6 }}>
                {(suggestions?.gridWorkers ?? []).map((w) => (
                  <Radio key={w.userId} value={w.userId}>
                    <span data-testid="case-suggested-worker" data-user-id={String(w.userId)} data-checked={assignee === w.userId ? 'true' : 'false'}>
                      {w.displayName} <Tag>{t('caseOpenTasks', { n: w.openTasks })}</Tag>
                    </span>
                  </Radio>
                ))}
              </Radio.Group>
            )}
          </div>
        )}
        {action === 'merge' && (
          <div>
            <Typography.Text strong>{t('caseMergeInto')}</Typography.Text>
            {duplicates.length > 0 && (
              <Radio.Group value={intoCaseId} onChange={(ev) => setIntoCaseId(ev.target.value as number)} style={{ display: 'flex', flexDirection: 'column', gap: 6, marginTop: 6 }}>
                {duplicates.map((d) => (
                  <Radio key={d.id} value={d.id}>
                    <span data-testid="case-merge-target" data-case-id={String(d.id)}>
                      {d.number} · {d.title}
                    </span>
                  </Radio>
                ))}
              </Radio.Group>
            )}
            <InputNumber data-testid="case-action-merge-into" min={1} style={{ width: '100%', marginTop: 6 }} value={intoCaseId} onChange={(v) => setIntoCaseId(v === null ? null : Number(v))} />
          </div>
        )}
        {action === 'summon' && (
          <div>
            <Typography.Text strong>{t('caseSelectDepartments')}</Typography.Text>
            {departments === null ? null : departments.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
            ) : (
              <Checkbox.Group
                data-testid="case-summon-departments"
                aria-label={t('caseSelectDepartments')}
                value={departmentIds}
                onChange={(v) => setDepartmentIds(v.map(Number))}
                style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 6, marginTop: 6 }}
              >
                {departments.map((d) => (
                  <Checkbox key={String(d.id)} value={Number(d.id)}>
                    <span data-testid="case-summon-department" data-department-id={String(d.id)}>
                      {d.name}
                    </span>
                  </Checkbox>
                ))}
              </Checkbox.Group>
            )}
          </div>
        )}
        {(action === 'claim' || action === 'close') && (
          <div>
            <Typography.Text strong>{t('casePartyOrg')}</Typography.Text>
            <Select
              data-testid="case-action-party-org"
              showSearch
              allowClear={action === 'close'}
              optionFilterProp="label"
              style={{ width: '100%', marginTop: 6 }}
              loading={partyOrgs === null}
              value={partyOrgId}
              onChange={(v) => setPartyOrgId(v)}
              options={(partyOrgs ?? []).map((o) => ({ value: Number(o.id), label: o.regionName ? `${o.name}（${o.regionName}）` : o.name }))}
            />
          </div>
        )}
        {action === 'decide_extension' && (
          <Radio.Group data-testid="case-action-approved" value={approved} onChange={(ev) => setApproved(Boolean(ev.target.value))}>
            <Radio value={true}>{t('caseApprove')}</Radio>
            <Radio value={false}>{t('caseReject')}</Radio>
          </Radio.Group>
        )}
        {action === 'reclassify' && (
          <Radio.Group data-testid="case-action-color" value={color} onChange={(ev) => setColor(String(ev.target.value))}>
            {['red', 'orange', 'yellow', 'green'].map((c) => (
              <Radio key={c} value={c}>
                {t(`inboxColor_${c}` as MsgKey)}
              </Radio>
            ))}
          </Radio.Group>
        )}
        {NEEDS_REASON.has(action) && (
          <div>
            <Typography.Text strong>{t('caseReason')}</Typography.Text>
            <Input data-testid="case-action-reason" maxLength={200} value={reason} onChange={(ev) => setReason(ev.target.value)} style={{ marginTop: 6 }} />
          </div>
        )}
        <div>
          <Typography.Text strong>{action === 'department_reply' ? t('caseSummonsReply') : t('caseNote')}</Typography.Text>
          <Input.TextArea
            data-testid="case-action-note"
            rows={3}
            maxLength={2000}
            placeholder={t('caseNotePlaceholder')}
            value={note}
            onChange={(ev) => setNote(ev.target.value)}
            style={{ marginTop: 6 }}
          />
        </div>
        {error && <Alert type="error" showIcon title={error} data-testid="case-action-error" />}
      </Space>
    </Modal>
  );
}

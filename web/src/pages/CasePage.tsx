// 工单详情: everything about one case — fields (reporter masked), clocks, summoned departments, the
// timeline and photos, possible duplicates, and the actions the server allows this user now.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Card, Col, Descriptions, Empty, List, Result, Row, Skeleton, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons';
import { ApiError, boardApi, isForbidden, type CaseClocks, type CaseDetailData, type CaseSuggestions, type CaseSummonsItem } from '../api.ts';
import { Forbidden, formatTime, toastError } from '../common.tsx';
import { CaseActions, type ActionRequest } from '../components/CaseActions.tsx';
import { useCaseStream } from '../components/CaseStream.tsx';
import { CaseAttachments, CaseTimeline } from '../components/CaseTimeline.tsx';
import { useI18n, type MsgKey } from '../i18n.ts';
import { Link, navigate } from '../router.tsx';
import { Countdown, TriageColorTag, useNow } from './StreetPage.tsx';

/** States in which a case may still be merged into another (the duplicates panel offers it then). */
const MERGEABLE = ['submitted', 'dispatched'];

export default function CasePage({ params }: { params: Record<string, string> }) {
  const { t } = useI18n();
  const id = Number(params.id);
  const now = useNow(1000);
  const [detail, setDetail] = useState<CaseDetailData | null>(null);
  const [clocks, setClocks] = useState<CaseClocks | null>(null);
  const [suggestions, setSuggestions] = useState<CaseSuggestions | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [request, setRequest] = useState<ActionRequest | null>(null);
  const skew = useRef(0);

  useEffect(() => {
    if (!Number.isSafeInteger(id) || id < 1) return;
    let cancelled = false;
    Promise.all([boardApi.caseDetail(id), boardApi.clocks(id).catch(() => null)])
      .then(async ([d, c]) => {
        if (cancelled) return;
        setDetail(d);
        setClocks(c);
        setError(null);
        if (c) skew.current = new Date(c.serverTime).getTime() - Date.now();
        // Suggestions matter while the case can still be dispatched or merged.
        if (d.abilities.dispatch && MERGEABLE.includes(d.status)) {
          const s = await boardApi.suggestions(id).catch(() => null);
          if (!cancelled) setSuggestions(s);
        } else setSuggestions(null);
      })
      .catch((err) => {
        if (cancelled) return;
        setError(err);
        if (!isForbidden(err) && !(err instanceof ApiError && err.status === 404)) toastError(err);
      });
    return () => {
      cancelled = true;
    };
  }, [id, tick]);

  const reload = useCallback(() => setTick((x) => x + 1), []);
  // Someone else acted on this case: show it as it is now (an open dialog keeps its input; its If-Match guards it).
  useCaseStream((event) => {
    if (event.caseId === id) reload();
  });

  if (!Number.isSafeInteger(id) || id < 1 || (error instanceof ApiError && error.status === 404)) {
    return <Result status="404" title="404" subTitle={t('notFound')} extra={<Button onClick={() => navigate('/board')}>{t('back')}</Button>} />;
  }
  if (isForbidden(error)) return <Forbidden error={error} />;
  if (!detail) return <Skeleton active />;

  const serverNow = now + skew.current;
  const extensionPending = clocks?.extensionPending ?? false;

  return (
    <div className="cg-page" data-testid="case-page" data-case-id={String(detail.id)} data-version={String(detail.version)}>
      <Space style={{ marginBottom: 12 }} wrap>
        <Button icon={<ArrowLeftOutlined />} onClick={() => (window.history.length > 1 ? window.history.back() : navigate('/board'))}>
          {t('back')}
        </Button>
        <Typography.Title level={4} style={{ margin: 0 }}>
          <span className="cg-mono" data-testid="case-number">
            {detail.number}
          </span>{' '}
          {detail.title}
        </Typography.Title>
        <Tag color="blue" data-testid="case-status" data-status={detail.status}>
          {t(`inboxStatus_${detail.status}` as MsgKey)}
        </Tag>
        <TriageColorTag color={detail.triageColor} />
        <Tag data-testid="case-holder" data-holder={detail.holderLevel}>
          {t('caseHolder')}: {t(`caseHolder_${detail.holderLevel}` as MsgKey)}
        </Tag>
        {detail.supervised && <Tag color="purple">{t('caseSupervised')}</Tag>}
        {detail.overdue && <Tag color="red">{t('caseOverdue')}</Tag>}
        {extensionPending && <Tag color="gold">{t('caseExtensionPending')}</Tag>}
        <Button size="small" icon={<ReloadOutlined />} onClick={reload} title={t('refresh')} />
      </Space>

      <Row gutter={16}>
        <Col xs={24} xl={15}>
          <Card size="small" style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
              <Descriptions.Item label={t('caseCategory')}>{detail.categoryName ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('caseChannel')}>{t(`caseChannel_${detail.channel}` as MsgKey)}</Descriptions.Item>
              <Descriptions.Item label={t('caseGrid')}>{detail.gridName ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('caseAddress')}>{detail.address ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('caseReporter')}>
                <span className="cg-masked" data-testid="case-reporter-name">
                  {detail.reporterName ?? '—'}
                </span>
              </Descriptions.Item>
              <Descriptions.Item label={t('casePhone')}>
                <span className="cg-masked" data-testid="case-reporter-phone">
                  {detail.reporterPhone ?? '—'}
                </span>
              </Descriptions.Item>
              <Descriptions.Item label={t('caseCreated')}>{formatTime(detail.createdAt)}</Descriptions.Item>
              <Descriptions.Item label={t('caseUpdated')}>{formatTime(detail.updatedAt)}</Descriptions.Item>
              <Descriptions.Item label={t('caseLocation')}>{detail.location ? detail.location.map((v) => v.toFixed(6)).join(', ') : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('caseReopenCount')}>{detail.reopenCount}</Descriptions.Item>
              {detail.rating && (
                <Descriptions.Item label={t('caseRating')} span={2}>
                  <Space wrap>
                    <Tag color={detail.rating.resolved ? 'green' : 'red'}>{detail.rating.resolved ? t('caseResolved') : t('caseUnresolved')}</Tag>
                    <Tag>{t(`caseSatisfaction_${detail.rating.satisfaction}` as MsgKey)}</Tag>
                    {detail.rating.comment}
                  </Space>
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t('caseDescription')} span={2}>
                <div style={{ whiteSpace: 'pre-wrap' }} data-testid="case-description">
                  {detail.description}
                </div>
              </Descriptions.Item>
            </Descriptions>
            <div style={{ marginTop: 12 }}>
              <CaseAttachments events={detail.events} />
            </div>
          </Card>

          <Card size="small" title={t('caseSummonses')} style={{ marginBottom: 16 }}>
            <SummonsTable summonses={detail.summonses} />
          </Card>

          <Card size="small" title={t('caseTimeline')}>
            <CaseTimeline events={detail.events} />
          </Card>
        </Col>

        <Col xs={24} xl={9}>
          <Card size="small" title={t('caseActions')} style={{ marginBottom: 16 }}>
            <CaseActions detail={detail} extensionPending={extensionPending} suggestions={suggestions} request={request} onRequest={setRequest} onDone={reload} />
          </Card>

          <Card size="small" title={t('caseClocks')} style={{ marginBottom: 16 }} data-testid="case-clocks">
            {!clocks || clocks.clocks.length === 0 ? (
              <Typography.Text type="secondary">{t('caseNoClocks')}</Typography.Text>
            ) : (
              <List
                size="small"
                dataSource={clocks.clocks}
                renderItem={(c) => (
                  <List.Item data-testid="case-clock" data-kind={c.kind} data-state={c.state}>
                    <Space wrap>
                      <Typography.Text strong>{t(`inboxClock_${c.kind}` as MsgKey)}</Typography.Text>
                      <Tag color={c.state === 'running' ? 'blue' : c.state === 'fired' ? 'red' : 'default'}>{t(`caseClockState_${c.state}` as MsgKey)}</Tag>
                    </Space>
                    {c.state === 'running' ? (
                      <Countdown due={c.dueAt} now={serverNow} overdue={c.overdue} />
                    ) : (
                      <Tooltip title={formatTime(c.dueAt)}>
                        <Typography.Text type="secondary">{formatTime(c.firedAt ?? c.stoppedAt)}</Typography.Text>
                      </Tooltip>
                    )}
                  </List.Item>
                )}
              />
            )}
          </Card>

          {suggestions && (
            <Card size="small" title={t('caseDuplicates')} data-testid="case-duplicates">
              {suggestions.duplicates.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('caseNoDuplicates')} />
              ) : (
                <List
                  size="small"
                  dataSource={suggestions.duplicates}
                  renderItem={(d) => (
                    <List.Item
                      data-testid="case-duplicate"
                      data-case-id={String(d.id)}
                      actions={[
                        <Button key="merge" size="small" data-testid="case-duplicate-merge" onClick={() => setRequest({ action: 'merge', preset: { intoCaseId: d.id } })}>
                          {t('caseMergeInto')}
                        </Button>,
                      ]}
                    >
                      <List.Item.Meta
                        title={
                          <Space size={6} wrap>
                            <TriageColorTag color={d.triageColor} />
                            <Link to={`/cases/${d.id}`} className="cg-mono">
                              {d.number}
                            </Link>
                            <Tag>{t(`inboxStatus_${d.status}` as MsgKey)}</Tag>
                          </Space>
                        }
                        description={
                          <span>
                            {d.title} · {d.distanceMeters === null ? t('caseSameGrid') : t('caseDistance', { m: d.distanceMeters })} · {formatTime(d.createdAt)}
                          </span>
                        }
                      />
                    </List.Item>
                  )}
                />
              )}
            </Card>
          )}
        </Col>
      </Row>
    </div>
  );
}

function SummonsTable({ summonses }: { summonses: CaseSummonsItem[] }) {
  const { t } = useI18n();
  if (!summonses.length) return <Typography.Text type="secondary">{t('caseNoSummonses')}</Typography.Text>;
  const stateOf = (s: CaseSummonsItem) => (s.returned ? 'returned' : s.replied ? 'replied' : s.reportedIn ? 'reported_in' : 'to_report_in');
  const colors: Record<string, string> = { to_report_in: 'orange', reported_in: 'blue', replied: 'green', returned: 'default' };
  return (
    <Table<CaseSummonsItem>
      size="small"
      pagination={false}
      rowKey={(s) => String(s.departmentId)}
      dataSource={summonses}
      onRow={(s) => ({ 'data-testid': 'case-summons', 'data-department-id': String(s.departmentId), 'data-state': stateOf(s) }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        { title: t('caseDepartment'), dataIndex: 'departmentName' },
        { title: t('inboxStatus'), key: 'state', render: (_: unknown, s) => <Tag color={colors[stateOf(s)]}>{t(`inboxDeptState_${stateOf(s)}` as MsgKey)}</Tag> },
        { title: t('caseSummonsReply'), key: 'reply', render: (_: unknown, s) => s.reply ?? (s.returnReason ? `${t('caseSummonsReturn')}: ${s.returnReason}` : '—') },
      ]}
    />
  );
}

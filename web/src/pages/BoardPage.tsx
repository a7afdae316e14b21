// 受理台: the community dispatcher's live queue. Server-sent events say which case changed; the page
// then reloads the queue (debounced) and flashes the row. Clocks count down every second.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Card, Col, Row, Segmented, Select, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import {
  boardApi,
  isForbidden,
  OPEN_CASE_STATUSES,
  type BoardItem,
  type BoardResult,
  type CaseMapResult,
  type OpenCaseStatus,
  type TriageColor,
} from '../api.ts';
import { Forbidden, formatTime, toastError, TruncText } from '../common.tsx';
import { CaseMap } from '../components/CaseMap.tsx';
import { CaseStreamIndicator, useCaseStream } from '../components/CaseStream.tsx';
import { useI18n, type MsgKey } from '../i18n.ts';
import { Link, navigate } from '../router.tsx';
import { Countdown, TriageColorTag, useDuration, useNow } from './StreetPage.tsx';

type View = 'queue' | 'overdue' | 'supervised';
const VIEWS: View[] = ['queue', 'overdue', 'supervised'];
const COLORS: TriageColor[] = ['red', 'orange', 'yellow', 'green'];
const FLASH_MS = 4_000;
const RELOAD_DEBOUNCE_MS = 250;

/** Calls `fn` once, `ms` after the last of a burst of calls. */
function useDebounced(fn: () => void, ms: number): () => void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  return useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => fnRef.current(), ms);
  }, [ms]);
}

export default function BoardPage() {
  const { t } = useI18n();
  const duration = useDuration();
  const now = useNow(1000);
  const [view, setView] = useState<View>('queue');
  const [status, setStatus] = useState<OpenCaseStatus | 'all'>('all');
  const [color, setColor] = useState<TriageColor | undefined>(undefined);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [board, setBoard] = useState<BoardResult | null>(null);
  const [mapData, setMapData] = useState<CaseMapResult | null>(null);
  const [loading, setLoading] = useState(true);
  const [forbidden, setForbidden] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [flashing, setFlashing] = useState<ReadonlyMap<number, number>>(new Map());
  /** Server time minus browser time, so countdowns agree with the server's clocks. */
  const skew = useRef(0);
  const fetchedAt = useRef(Date.now());

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    const query = { page, pageSize, color };
    const request =
      view === 'queue' ? boardApi.board({ ...query, status: status === 'all' ? undefined : status }) : boardApi.watch({ list: view, page, pageSize });
    request
      .then((result) => {
        if (cancelled) return;
        skew.current = new Date(result.serverTime).getTime() - Date.now();
        fetchedAt.current = Date.now();
        setBoard(result);
      })
      .catch((error) => {
        if (cancelled) return;
        if (isForbidden(error)) setForbidden(error);
        else toastError(error);
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [view, status, color, page, pageSize, tick]);

  useEffect(() => {
    let cancelled = false;
    boardApi
      .map({ color })
      .then((result) => {
        if (!cancelled) setMapData(result);
      })
      .catch((error) => {
        if (!cancelled && !isForbidden(error)) toastError(error);
      });
    return () => {
      cancelled = true;
    };
  }, [color, tick]);

  const reload = useDebounced(() => setTick((x) => x + 1), RELOAD_DEBOUNCE_MS);
  const streamState = useCaseStream(
    (event) => {
      setFlashing((prev) => new Map(prev).set(event.caseId, Date.now() + FLASH_MS));
      reload();
    },
    reload,
  );
  // Rows stop flashing after a few seconds.
  useEffect(() => {
    if (flashing.size === 0) return;
    const expired = [...flashing].filter(([, until]) => until <= now);
    if (expired.length) setFlashing((prev) => new Map([...prev].filter(([, until]) => until > Date.now())));
  }, [now, flashing]);
  const flashIds = useMemo(() => new Set(flashing.keys()), [flashing]);

  const serverNow = now + skew.current;
  const columns: TableColumnsType<BoardItem> = [
    { title: t('inboxColor'), dataIndex: 'triageColor', width: 72, render: (c: string) => <TriageColorTag color={c} /> },
    {
      title: `${t('inboxCaseNumber')} / ${t('inboxCaseTitle')}`,
      dataIndex: 'number',
      render: (n: string, r) => (
        <div style={{ minWidth: 180 }}>
          <Link to={`/cases/${r.id}`} onClick={(ev) => ev.stopPropagation()} className="cg-mono" data-testid="board-case-link" style={{ fontSize: 12 }}>
            {n}
          </Link>
          <div>
            <TruncText text={r.title} width={240} />
          </div>
        </div>
      ),
    },
    { title: t('inboxCategory'), dataIndex: 'categoryName', width: 110, render: (v: string | null) => v ?? '—' },
    {
      title: t('boardPlace'),
      key: 'place',
      width: 170,
      render: (_: unknown, r) => [r.gridName, r.buildingName].filter(Boolean).join(' · ') || '—',
    },
    {
      title: t('inboxStatus'),
      dataIndex: 'status',
      width: 96,
      render: (s: string) => (
        <Tag data-testid="board-status" color={s === 'submitted' ? 'blue' : undefined}>
          {t(`inboxStatus_${s}` as MsgKey)}
        </Tag>
      ),
    },
    {
      title: t('boardAge'),
      dataIndex: 'ageSeconds',
      width: 110,
      render: (age: number, r) => (
        <Tooltip title={formatTime(r.createdAt)}>
          <span style={{ whiteSpace: 'nowrap' }}>{duration(age * 1000 + (now - fetchedAt.current))}</span>
        </Tooltip>
      ),
    },
    {
      title: t('boardClock'),
      key: 'clock',
      width: 170,
      render: (_: unknown, r) => {
        const late = r.clock ? r.clock.overdue || new Date(r.clock.dueAt).getTime() <= serverNow : false;
        return (
          <span data-testid="board-clock" data-kind={r.clock?.kind ?? ''} data-due={r.clock?.dueAt ?? ''} data-overdue={late ? 'true' : 'false'}>
            {r.clock ? <Countdown due={r.clock.dueAt} now={serverNow} overdue={r.clock.overdue} prefix={`${t(`inboxClock_${r.clock.kind}` as MsgKey)} `} /> : <span style={{ color: '#bbb' }}>—</span>}
          </span>
        );
      },
    },
    {
      title: t('boardFlags'),
      key: 'flags',
      width: 120,
      render: (_: unknown, r) => (
        <Space size={[0, 4]} wrap>
          {r.overdue && <Tag color="red">{t('caseOverdue')}</Tag>}
          {r.supervised && <Tag color="purple">{t('caseSupervised')}</Tag>}
          {r.extensionPending && <Tag color="gold">{t('caseExtensionPending')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('boardReporter'),
      key: 'reporter',
      width: 130,
      render: (_: unknown, r) => <span className="cg-masked">{[r.reporterName, r.reporterPhone].filter(Boolean).join(' ') || '—'}</span>,
    },
  ];

  if (forbidden) return <Forbidden error={forbidden} />;

  const counts = board?.counts;
  const statusOptions = [
    { value: 'all', label: `${t('all')} ${counts ? Object.values(counts).reduce((a, b) => a + b, 0) : ''}` },
    ...OPEN_CASE_STATUSES.map((s) => ({ value: s, label: `${t(`inboxStatus_${s}` as MsgKey)} ${counts?.[s] ?? ''}` })),
  ];

  return (
    <div className="cg-page" data-testid="board-page">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('boardTitle')}
        </Typography.Title>
        <Space size={16}>
          {board && <span style={{ color: '#999', fontSize: 12 }}>{t('boardUpdated', { t: formatTime(new Date(fetchedAt.current).toISOString()) })}</span>}
          <CaseStreamIndicator state={streamState} />
        </Space>
      </div>
      <div className="cg-toolbar">
        <Segmented
          data-testid="board-view"
          value={view}
          onChange={(v) => {
            setView(v as View);
            setPage(1);
          }}
          options={VIEWS.map((v) => ({ value: v, label: t(`boardView_${v}` as MsgKey) }))}
        />
        {view === 'queue' && (
          <Segmented
            data-testid="board-status-filter"
            value={status}
            onChange={(v) => {
              setStatus(v as OpenCaseStatus | 'all');
              setPage(1);
            }}
            options={statusOptions}
          />
        )}
        <Select
          data-testid="board-color-filter"
          allowClear
          placeholder={t('boardColorFilter')}
          style={{ width: 120 }}
          value={color}
          onChange={(v) => {
            setColor(v);
            setPage(1);
          }}
          options={COLORS.map((c) => ({ value: c, label: t(`inboxColor_${c}` as MsgKey) }))}
        />
      </div>
      <Row gutter={16}>
        <Col xs={24} xxl={16}>
          <Table<BoardItem>
            rowKey="id"
            size="middle"
            loading={loading && !board}
            columns={columns}
            dataSource={board?.items ?? []}
            locale={{ emptyText: t('boardEmpty') }}
            scroll={{ x: 1100 }}
            onRow={(r) =>
              ({
                'data-testid': 'board-row',
                'data-case-id': String(r.id),
                'data-status': r.status,
                'data-color': r.triageColor,
                'data-flash': flashIds.has(r.id) ? 'true' : 'false',
                style: { cursor: 'pointer', transition: 'background-color 0.6s', backgroundColor: flashIds.has(r.id) ? '#fff1b8' : undefined },
                onClick: () => navigate(`/cases/${r.id}`),
              }) as React.HTMLAttributes<HTMLElement>
            }
            pagination={{
              current: page,
              pageSize,
              total: board?.total ?? 0,
              showSizeChanger: true,
              showTotal: (n) => t('total', { n }),
              onChange: (p, s) => {
                setPage(p);
                setPageSize(s);
              },
            }}
          />
        </Col>
        <Col xs={24} xxl={8}>
          <Card size="small" title={t('boardMap')} style={{ marginTop: 8 }}>
            <CaseMap data={mapData} flashIds={flashIds} height={360} />
          </Card>
        </Col>
      </Row>
    </div>
  );
}

// 指挥中心: the figures of a node (the user's own place by default) for a month or a range of months. Every
// number opens exactly the cases it counts; rankings, the grid map and the breadcrumb move between nodes.
// Figures refresh about a second after a case event on the live feed, and on a slow poll; the wall-screen
// mode fills the screen in a dark theme with big numbers.
import { useEffect, useMemo, useState } from 'react';
import { Button, ConfigProvider, Result, Space, Spin, Tabs, Tooltip, theme } from 'antd';
import { DesktopOutlined, FileExcelOutlined, FileTextOutlined, FullscreenExitOutlined, ReloadOutlined } from '@ant-design/icons';
import { ApiError, isForbidden } from '../api.ts';
import { Forbidden, formatTime, useAsync, useAuth } from '../common.tsx';
import { navigate } from '../router.tsx';
import { useNow } from './StreetPage.tsx';
import '../components/command/command.css';
import { CategoryChart, ChannelChart, ColourChart } from '../components/command/Breakdowns.tsx';
import { GridMetricMap, type MapMeasure } from '../components/command/GridMetricMap.tsx';
import { HotTopics } from '../components/command/HotTopics.tsx';
import { KpiCards, SecondaryFigures } from '../components/command/KpiCards.tsx';
import { CaseEventRefresh, useRefreshTick } from '../components/command/live.tsx';
import { childLevelOf, metricsApi, type MetricNodeInfo, type RankingSort } from '../components/command/metricsApi.ts';
import { useCommandI18n } from '../components/command/messages.ts';
import { NodePicker } from '../components/command/NodePicker.tsx';
import { periodLabel } from '../components/command/period.ts';
import { PeriodPicker } from '../components/command/PeriodPicker.tsx';
import { RankingTable } from '../components/command/RankingTable.tsx';
import { scopeUrl, useScope } from '../components/command/scope.ts';
import { TrendChart } from '../components/command/TrendChart.tsx';
import { WatchList } from '../components/command/WatchList.tsx';
import { MetricSettingsButton } from '../components/command/MetricSettingsButton.tsx';
import { CommunityServicesPanel } from '../components/command/CommunityServicesPanel.tsx';

const POLL_MS = 60_000;
const WALL_POLL_MS = 30_000;

/** The user's own place (what the figures show without ?node=), asked once per user and kept. */
const homes = new Map<string, MetricNodeInfo>();
function useHome(userId: string, shown: MetricNodeInfo | undefined, explicit: boolean, month: string): MetricNodeInfo | null {
  const [home, setHome] = useState<MetricNodeInfo | null>(() => homes.get(userId) ?? null);
  useEffect(() => {
    if (!explicit && shown) {
      homes.set(userId, shown);
      setHome(shown);
    } else if (explicit && !homes.has(userId)) {
      metricsApi
        .node({ from: month })
        .then((m) => {
          homes.set(userId, m.node);
          setHome(m.node);
        })
        .catch(() => undefined);
    }
  }, [userId, shown, explicit, month]);
  return home;
}

function useViewportHeight(): number {
  const [h, setH] = useState(() => window.innerHeight);
  useEffect(() => {
    const on = () => setH(window.innerHeight);
    window.addEventListener('resize', on);
    return () => window.removeEventListener('resize', on);
  }, []);
  return h;
}

export default function CommandCentrePage() {
  const { me } = useAuth();
  const { t, level } = useCommandI18n();
  const scope = useScope();
  const wall = scope.params.get('wall') === '1';
  const [tick, refresh, refreshedAt] = useRefreshTick(wall ? WALL_POLL_MS : POLL_MS);
  const [childSort, setChildSort] = useState<RankingSort>('composite');
  const [departmentSort, setDepartmentSort] = useState<RankingSort>('composite');
  const [mapMeasure, setMapMeasure] = useState<MapMeasure>('backlog');
  const [rankTab, setRankTab] = useState<'children' | 'departments'>('children');

  const metrics = useAsync(() => metricsApi.node(scope), [scope.node, scope.from, scope.to, tick]);
  const data = metrics.data;
  const node = data?.node;
  const home = useHome(String(me?.id ?? ''), node, scope.node !== undefined, scope.from);
  /** The figures' query with the node spelled out (links and the other panels use it). */
  const resolved = useMemo(() => (node ? { node: node.ref, from: scope.from, to: scope.to } : null), [node, scope.from, scope.to]);
  const childLevel = node?.kind === 'region' ? childLevelOf(node.level) : null;

  const children = useAsync(
    () => metricsApi.rankings({ ...resolved!, level: childLevel!, sort: childSort }),
    [resolved?.node, resolved?.from, resolved?.to, childLevel, childSort, tick],
    { skip: !resolved || !childLevel },
  );
  const departments = useAsync(() => metricsApi.rankings({ ...resolved!, level: 'department', sort: departmentSort }), [resolved?.node, resolved?.from, resolved?.to, departmentSort, tick], {
    skip: !resolved,
  });
  const grids = useAsync(() => metricsApi.grids(resolved!), [resolved?.node, resolved?.from, resolved?.to, tick], { skip: !resolved || node?.kind !== 'region' });

  const go = (values: { node?: string; from?: string; to?: string; wall?: boolean }) => {
    const next = { node: scope.node, from: scope.from, to: scope.to, wall, ...values };
    navigate(scopeUrl('/command', { node: next.node, from: next.from, to: next.to !== next.from ? next.to : undefined, wall: next.wall ? '1' : undefined }));
  };
  const drill = (ref: string | undefined) => go({ node: ref === home?.ref ? undefined : ref });
  const enterWall = () => {
    go({ wall: true });
    document.documentElement.requestFullscreen?.().catch(() => undefined);
  };
  const leaveWall = () => {
    if (document.fullscreenElement) document.exitFullscreen?.().catch(() => undefined);
    go({ wall: false });
  };
  useEffect(() => {
    if (!wall) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.fullscreenElement) leaveWall();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const childItems = children.data?.items ?? [];
  const departmentItems = departments.data?.items ?? [];
  useEffect(() => {
    if (!childLevel && rankTab === 'children') setRankTab('departments');
    if (childLevel && departmentItems.length === 0 && rankTab === 'departments') setRankTab('children');
  }, [childLevel, departmentItems.length, rankTab]);

  if (isForbidden(metrics.error)) return <Forbidden error={metrics.error} />;
  if (!data && metrics.error instanceof ApiError) {
    return (
      <div className="cg-page">
        <Result status={metrics.error.status === 404 ? '404' : 'warning'} title={metrics.error.message} extra={<Button onClick={() => drill(undefined)}>{t('home')}</Button>} />
      </div>
    );
  }
  if (!data || !resolved || !node) {
    return (
      <div style={{ padding: 48, textAlign: 'center' }} data-testid="command-loading">
        <Spin />
      </div>
    );
  }

  const liveFeed = me?.abilities.readCases ? <CaseEventRefresh onRefresh={refresh} /> : null;
  const switching = scope.node !== undefined && scope.node !== node.ref;
  const picker = <NodePicker node={node} home={home} children={childItems} departments={departmentItems} onSelect={drill} dark={wall} />;
  const rankingTabs = [
    ...(childLevel
      ? [
          {
            key: 'children',
            label: t('rankingsOf', { level: level(childLevel) }),
            children: (
              <RankingTable
                testId="ranking-children"
                items={childItems}
                loading={children.loading && !children.data}
                sort={childSort}
                onSort={setChildSort}
                onDrill={drill}
                dark={wall}
                compact={wall}
                maxHeight={wall ? wallRowHeight() - 90 : 320}
              />
            ),
          },
        ]
      : []),
    ...(departmentItems.length > 0
      ? [
          {
            key: 'departments',
            label: t('departmentRankings'),
            children: (
              <RankingTable
                testId="ranking-departments"
                items={departmentItems}
                loading={departments.loading && !departments.data}
                sort={departmentSort}
                onSort={setDepartmentSort}
                onDrill={drill}
                dark={wall}
                compact={wall}
                maxHeight={wall ? wallRowHeight() - 90 : 320}
              />
            ),
          },
        ]
      : []),
  ];
  const rankings = rankingTabs.length ? (
    <Tabs size="small" activeKey={rankTab} onChange={(k) => setRankTab(k as 'children' | 'departments')} items={rankingTabs} data-testid="rankings" />
  ) : (
    <div className="cmd-card-title">{t('rankings')}</div>
  );
  const map =
    node.kind === 'region' ? (
      <GridMetricMap regionId={node.id} figures={grids.data?.grids} measure={mapMeasure} onMeasure={setMapMeasure} onDrill={drill} dark={wall} height={wall ? wallRowHeight() * 2 - 30 : 300} />
    ) : (
      // Departments serve the whole city: no map; their categories take the place.
      <CategoryChart data={data} scope={resolved} dark={wall} height={wall ? wallRowHeight() * 2 - 30 : 300} />
    );

  if (wall) {
    return (
      <WallScreen
        title={t('title')}
        picker={picker}
        period={periodLabel(scope.from, scope.to)}
        refreshedAt={refreshedAt}
        live={liveFeed}
        onLeave={leaveWall}
        leaveLabel={t('exitWall')}
        kpis={<KpiCards data={data} scope={resolved} dark />}
        trend={<TrendChart scope={resolved} tick={tick} dark height={wallRowHeight() - 50} />}
        rankings={rankings}
        map={map}
        watch={
          <>
            <WatchList scope={resolved} measure="overdue_open" title={t('watchOverdue')} tick={tick} rows={Math.max(3, Math.floor((wallRowHeight() - 110) / 2 / 30))} />
            <WatchList scope={resolved} measure="supervised" title={t('watchSupervised')} tick={tick} rows={Math.max(3, Math.floor((wallRowHeight() - 110) / 2 / 30))} />
          </>
        }
        topics={<HotTopics scope={resolved} tick={tick} limit={Math.max(8, Math.floor((wallRowHeight() - 60) / 30)) * 2} columns={2} />}
      />
    );
  }

  return (
    <div className="cmd-page" data-testid="command-page" data-node={node.ref} data-from={scope.from} data-to={scope.to}>
      <div className="cmd-head">
        <div className="cmd-head-left">
          <h2 className="cmd-head-title">{t('title')}</h2>
          {picker}
        </div>
        <div className="cmd-head-right">
          <PeriodPicker from={scope.from} to={scope.to} onChange={(from, to) => go({ from, to })} />
          {liveFeed}
          <span className="cmd-updated">{t('updatedAt', { t: formatTime(new Date(refreshedAt).toISOString()).slice(11) })}</span>
          <Tooltip title={t('monthlyReport')}>
            <Button size="small" icon={<FileTextOutlined />} data-testid="command-report" onClick={() => navigate(scopeUrl('/command/report', { node: node.ref, month: scope.to }))} />
          </Tooltip>
          <Tooltip title={t('exportLedger')}>
            <Button size="small" icon={<FileExcelOutlined />} data-testid="command-export-ledger" href={metricsApi.exportXlsxUrl(resolved)} download />
          </Tooltip>
          <Tooltip title={t('wallMode')}>
            <Button size="small" icon={<DesktopOutlined />} data-testid="command-wall" onClick={enterWall} />
          </Tooltip>
          {me?.abilities.configureMetrics && <MetricSettingsButton onSaved={refresh} />}
          <Button size="small" icon={<ReloadOutlined />} onClick={refresh} data-testid="command-refresh" />
        </div>
      </div>
      <Spin spinning={switching || (metrics.loading && !data)}>
        <div className="cmd-page">
          <KpiCards data={data} scope={resolved} />
          <SecondaryFigures data={data} scope={resolved} />
          <div className="cmd-row">
            <div className="cmd-card">
              <TrendChart scope={resolved} tick={tick} />
            </div>
            <div className="cmd-card">{map}</div>
          </div>
          <div className="cmd-card">{rankings}</div>
          <div className="cmd-row">
            <div className="cmd-card">
              <div className="cmd-card-title" style={{ marginBottom: 4 }}>
                {t('watchLists')}
              </div>
              <WatchList scope={resolved} measure="overdue_open" title={t('watchOverdue')} tick={tick} />
              <div style={{ height: 8 }} />
              <WatchList scope={resolved} measure="supervised" title={t('watchSupervised')} tick={tick} />
            </div>
            <div className="cmd-card">
              <HotTopics scope={resolved} tick={tick} limit={20} columns={2} />
            </div>
          </div>
          <div className="cmd-row-3">
            <div className="cmd-card">
              <ChannelChart data={data} scope={resolved} />
            </div>
            <div className="cmd-card">
              <ColourChart data={data} scope={resolved} />
            </div>
            {node.kind === 'region' && (
              <div className="cmd-card">
                <CategoryChart data={data} scope={resolved} height={200} />
              </div>
            )}
          </div>
          {node.kind === 'region' && resolved && (
            <div className="cmd-card">
              <CommunityServicesPanel node={resolved.node} from={resolved.from} to={resolved.to} tick={tick} />
            </div>
          )}
        </div>
      </Spin>
    </div>
  );
}

/** Height of one of the wall screen's two rows of panels (the header and the numbers take the rest). */
function wallRowHeight(): number {
  return Math.max(220, Math.floor((window.innerHeight - 250) / 2));
}

function WallScreen(props: {
  title: string;
  picker: React.ReactNode;
  period: string;
  refreshedAt: number;
  live: React.ReactNode;
  onLeave: () => void;
  leaveLabel: string;
  kpis: React.ReactNode;
  trend: React.ReactNode;
  rankings: React.ReactNode;
  map: React.ReactNode;
  watch: React.ReactNode;
  topics: React.ReactNode;
}) {
  const now = useNow(1000);
  useViewportHeight(); // re-render on resize so the panels take the new height
  return (
    <ConfigProvider theme={{ algorithm: theme.darkAlgorithm, token: { colorBgContainer: '#0f2344', colorBgElevated: '#132b52', fontSize: 15 } }}>
      <div className="cmd-wall" data-testid="command-wall-screen">
        <div className="cmd-head">
          <div className="cmd-head-left">
            <h1 className="cmd-head-title">{props.title}</h1>
            {props.picker}
            <span className="cmd-updated" style={{ fontSize: 18, color: '#9bb4d9' }}>
              {props.period}
            </span>
          </div>
          <Space size={16} className="cmd-head-right">
            {props.live}
            <span className="cmd-updated" style={{ fontSize: 20, color: '#e6f0ff', fontVariantNumeric: 'tabular-nums' }}>
              {formatTime(new Date(now).toISOString())}
            </span>
            <Button size="small" icon={<FullscreenExitOutlined />} onClick={props.onLeave} data-testid="command-wall-exit">
              {props.leaveLabel}
            </Button>
          </Space>
        </div>
        {props.kpis}
        <div className="cmd-wall-grid">
          <div className="cmd-card">{props.trend}</div>
          <div className="cmd-card cmd-wall-map">{props.map}</div>
          <div className="cmd-card" style={{ overflow: 'hidden' }}>
            {props.watch}
          </div>
          <div className="cmd-card">{props.rankings}</div>
          <div className="cmd-card">{props.topics}</div>
        </div>
      </div>
    </ConfigProvider>
  );
}

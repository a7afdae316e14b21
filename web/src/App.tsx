/// <reference types="vite/client" />
import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type ComponentType, type ReactNode } from 'react';
import { App as AntApp, Avatar, Button, ConfigProvider, type ConfigProviderProps, Dropdown, Layout, Menu, Segmented, Space, Spin, Tag, Tooltip, theme } from 'antd';
import zhCNRaw from 'antd/locale/zh_CN.js';
import enUSRaw from 'antd/locale/en_US.js';
import {
  ApartmentOutlined,
  AuditOutlined,
  BankOutlined,
  BellOutlined,
  DashboardOutlined,
  FundProjectionScreenOutlined,
  HeartOutlined,
  HistoryOutlined,
  EnvironmentOutlined,
  FlagOutlined,
  FormOutlined,
  ImportOutlined,
  LogoutOutlined,
  SettingOutlined,
  SoundOutlined,
  TeamOutlined,
  UserOutlined,
  UsergroupAddOutlined,
} from '@ant-design/icons';
import 'dayjs/locale/zh-cn';
import dayjs from 'dayjs';
import { api, setUnauthenticatedHandler, type Abilities, type Me } from './api.ts';
import { AuthContext, Forbidden, NotFound, setFeedbackApis, toastError, useAuth } from './common.tsx';
import { enumLabel, I18nContext, loadLang, saveLang, translate, useI18n, type I18n, type Lang, type MsgKey } from './i18n.ts';
import { matchPath, navigate, useLocation } from './router.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { NotificationBell } from './components/NotificationBell.tsx';
import type { CommunityRoute } from './community/registry.ts';

type AntLocale = NonNullable<ConfigProviderProps['locale']>;
// antd's locale files are CJS; depending on interop the default import may be wrapped.
const unwrapLocale = (m: unknown): AntLocale => ((m as { default?: AntLocale }).default ?? m) as AntLocale;
const zhCN = unwrapLocale(zhCNRaw);
const enUS = unwrapLocale(enUSRaw);

const MapPage = lazy(() => import('./pages/MapPage.tsx'));
const HouseholdPage = lazy(() => import('./pages/HouseholdPage.tsx'));
const ResidentsPage = lazy(() => import('./pages/ListPages.tsx').then((m) => ({ default: m.ResidentsPage })));
const PartyMembersPage = lazy(() => import('./pages/ListPages.tsx').then((m) => ({ default: m.PartyMembersPage })));
const UnitsPage = lazy(() => import('./pages/ListPages.tsx').then((m) => ({ default: m.UnitsPage })));
const PartyOrgsPage = lazy(() => import('./pages/ListPages.tsx').then((m) => ({ default: m.PartyOrgsPage })));
const ImportPage = lazy(() => import('./pages/ImportPage.tsx'));
const UsersPage = lazy(() => import('./pages/UsersPage.tsx'));
const AuditPage = lazy(() => import('./pages/AuditPage.tsx'));
const AccountPage = lazy(() => import('./pages/AccountPage.tsx'));
const StreetPage = lazy(() => import('./pages/StreetPage.tsx'));
const DepartmentPage = lazy(() => import('./pages/DepartmentPage.tsx'));
const BoardPage = lazy(() => import('./pages/BoardPage.tsx'));
const CasePage = lazy(() => import('./pages/CasePage.tsx'));
const NewCasePage = lazy(() => import('./pages/NewCasePage.tsx'));
// The command centre's pages carry ECharts; only they load it.
const CommandCentrePage = lazy(() => import('./pages/CommandCentrePage.tsx'));
const HistoryImportPage = lazy(() => import('./pages/HistoryImportPage.tsx'));
const FigureCasesPage = lazy(() => import('./pages/FigureCasesPage.tsx'));
const MonthlyReportPage = lazy(() => import('./pages/MonthlyReportPage.tsx'));
const viewCommandCentre = (a: Abilities) => a.viewCommandCentre;

interface RouteDef {
  path: string;
  menuKey?: string;
  label?: MsgKey;
  /** Community modules bring their own menu words. */
  text?: { zh: string; en: string };
  order?: number;
  community?: boolean;
  icon?: ReactNode;
  allowed: (a: Abilities, me: Me) => boolean;
  component: ComponentType<{ params: Record<string, string> }>;
}

const ROUTES: RouteDef[] = [
  { path: '/map', menuKey: '/map', label: 'menuMap', icon: <EnvironmentOutlined />, allowed: (a) => a.viewMap, component: MapPage },
  { path: '/street', menuKey: '/street', label: 'menuStreet', icon: <SoundOutlined />, allowed: (a) => a.viewStreetCases, component: StreetPage },
  { path: '/department', menuKey: '/department', label: 'menuDepartment', icon: <BellOutlined />, allowed: (a) => a.answerSummonses, component: DepartmentPage },
  { path: '/board', menuKey: '/board', label: 'menuBoard', icon: <DashboardOutlined />, allowed: (a) => a.readCases, component: BoardPage },
  { path: '/command', menuKey: '/command', label: 'menuCommand', icon: <FundProjectionScreenOutlined />, allowed: viewCommandCentre, component: CommandCentrePage },
  { path: '/command/cases', allowed: viewCommandCentre, component: FigureCasesPage },
  { path: '/command/report', allowed: viewCommandCentre, component: MonthlyReportPage },
  // Before /cases/:id, which would otherwise take "new" for an id.
  { path: '/cases/new', menuKey: '/cases/new', label: 'menuNewCase', icon: <FormOutlined />, allowed: (a) => a.createCases, component: NewCasePage },
  { path: '/residents', menuKey: '/residents', label: 'menuResidents', icon: <TeamOutlined />, allowed: (a) => a.viewResidents, component: ResidentsPage },
  { path: '/party-members', menuKey: '/party-members', label: 'menuPartyMembers', icon: <FlagOutlined />, allowed: (a) => a.viewPartyMembers, component: PartyMembersPage },
  { path: '/units', menuKey: '/units', label: 'menuUnits', icon: <BankOutlined />, allowed: (a) => a.viewUnits, component: UnitsPage },
  { path: '/party-organizations', menuKey: '/party-organizations', label: 'menuPartyOrgs', icon: <ApartmentOutlined />, allowed: (a) => a.viewPartyOrganizations, component: PartyOrgsPage },
  { path: '/import', menuKey: '/import', label: 'menuImport', icon: <ImportOutlined />, allowed: (a) => a.importData, component: ImportPage },
  { path: '/import/history', menuKey: '/import/history', label: 'menuHistoryImport', icon: <HistoryOutlined />, allowed: (a) => a.importCaseHistory, component: HistoryImportPage },
  { path: '/admin/users', menuKey: '/admin/users', label: 'menuUsers', icon: <UsergroupAddOutlined />, allowed: (a) => a.manageUsers || a.assignRoles, component: UsersPage },
  { path: '/admin/audit', menuKey: '/admin/audit', label: 'menuAudit', icon: <AuditOutlined />, allowed: (a) => a.readAudit, component: AuditPage },
  // Not in the side menu. Household access is decided by the server (403 page).
  { path: '/households/:id', allowed: () => true, component: HouseholdPage },
  { path: '/cases/:id', allowed: () => true, component: CasePage },
  { path: '/account', allowed: () => true, component: AccountPage },
  { path: '/account/totp', allowed: () => true, component: AccountPage },
];

/** Community-service pages (issue 5): every community/<module>/routes.tsx, under one menu group. */
const COMMUNITY_ROUTES: RouteDef[] = Object.values(import.meta.glob<{ routes: CommunityRoute[] }>('./community/*/routes.tsx', { eager: true }))
  .flatMap((m) => m.routes)
  .map((r) => ({ path: r.path, menuKey: r.menuKey, text: r.label, icon: r.icon, order: r.order ?? 100, allowed: r.allowed, component: r.component, community: true }))
  .sort((x, y) => (x.order ?? 100) - (y.order ?? 100));
// Before the parameterised catch-alls (/households/:id, /cases/:id …) at the end of ROUTES.
ROUTES.splice(ROUTES.findIndex((r) => r.path === '/households/:id'), 0, ...COMMUNITY_ROUTES);

function homePath(me: Me): string {
  const r = ROUTES.find((x) => x.menuKey && x.allowed(me.abilities, me));
  return r ? r.path : '/account';
}

function PageFallback() {
  return (
    <div style={{ padding: 48, textAlign: 'center' }}>
      <Spin />
    </div>
  );
}

function FeedbackBridge() {
  const { message, modal } = AntApp.useApp();
  useEffect(() => setFeedbackApis(message, modal), [message, modal]);
  return null;
}

export function Root() {
  const [lang, setLangState] = useState<Lang>(loadLang);
  const setLang = useCallback((l: Lang) => {
    saveLang(l);
    setLangState(l);
  }, []);
  useEffect(() => {
    dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = lang === 'zh' ? '网格通 CivicGrid' : 'CivicGrid 网格通';
  }, [lang]);
  const i18n = useMemo<I18n>(
    () => ({ lang, setLang, t: (k, v) => translate(lang, k, v), e: (n, v) => enumLabel(lang, n, v) }),
    [lang, setLang],
  );
  return (
    <I18nContext.Provider value={i18n}>
      <ConfigProvider
        locale={lang === 'zh' ? zhCN : enUS}
        theme={{ algorithm: theme.defaultAlgorithm, token: { colorPrimary: '#1677ff', fontSize: 14, borderRadius: 6 } }}
      >
        <AntApp>
          <FeedbackBridge />
          <AuthRoot />
        </AntApp>
      </ConfigProvider>
    </I18nContext.Provider>
  );
}

function AuthRoot() {
  const [me, setMe] = useState<Me | null>(null);
  const [checked, setChecked] = useState(false);
  const { pathname, search } = useLocation();

  const refreshMe = useCallback(async () => {
    try {
      setMe(await api.me());
    } catch (err) {
      setMe(null);
      if (!(err instanceof Error && 'status' in err && (err as { status: number }).status === 401)) toastError(err);
    }
  }, []);

  useEffect(() => {
    refreshMe().finally(() => setChecked(true));
  }, [refreshMe]);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setMe(null);
      const here = window.location.pathname + window.location.search;
      if (!window.location.pathname.startsWith('/login')) {
        navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
      }
    });
    return () => setUnauthenticatedHandler(null);
  }, []);

  // redirects
  useEffect(() => {
    if (!checked) return;
    if (!me && pathname !== '/login') {
      const next = pathname === '/' ? '' : `?next=${encodeURIComponent(pathname + search)}`;
      navigate(`/login${next}`, { replace: true });
    } else if (me && (pathname === '/login' || pathname === '/')) {
      const next = new URLSearchParams(search).get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homePath(me), { replace: true });
    } else if (me && me.mfa.required && !me.mfa.enrolled && !pathname.startsWith('/account')) {
      navigate('/account/totp', { replace: true });
    }
  }, [checked, me, pathname, search]);

  const ctx = useMemo(() => ({ me, setMe, refreshMe }), [me, refreshMe]);

  if (!checked) return <PageFallback />;
  return (
    <AuthContext.Provider value={ctx}>
      {pathname === '/login' || !me ? <LoginPage /> : <MainLayout pathname={pathname} />}
    </AuthContext.Provider>
  );
}

function MainLayout({ pathname }: { pathname: string }) {
  const { me, setMe } = useAuth();
  const { t, e, lang, setLang } = useI18n();
  const [collapsed, setCollapsed] = useState(false);
  if (!me) return null;

  let matched: { route: RouteDef; params: Record<string, string> } | null = null;
  for (const r of ROUTES) {
    const params = matchPath(r.path, pathname);
    if (params) {
      matched = { route: r, params };
      break;
    }
  }

  const menuEntry = (r: RouteDef) => ({
    key: r.menuKey!,
    icon: r.icon,
    label: <span data-testid={`menu-${r.menuKey!.replace(/^\//, '').replace(/\//g, '-')}`}>{r.text ? r.text[lang] : t(r.label!)}</span>,
  });
  const visible = ROUTES.filter((r) => r.menuKey && r.allowed(me.abilities, me));
  const communityEntries = visible.filter((r) => r.community).map(menuEntry);
  const menuItems = [
    ...visible.filter((r) => !r.community).map(menuEntry),
    ...(communityEntries.length ? [{ key: 'community', icon: <HeartOutlined />, label: <span data-testid="menu-community">{t('menuCommunity')}</span>, children: communityEntries }] : []),
  ];
  const selectedKey =
    matched?.route.menuKey ??
    (pathname.startsWith('/households') ? '/map' : pathname.startsWith('/cases/') ? '/board' : pathname.startsWith('/command/') ? '/command' : '');

  const logout = async () => {
    try {
      await api.logout();
    } catch (err) {
      toastError(err);
    }
    setMe(null);
    navigate('/login', { replace: true });
  };

  const roleText = (r: Me['roles'][number]) => {
    const scope = r.unitName ?? r.regionName;
    return scope ? `${e('role', r.role)} · ${scope}` : e('role', r.role);
  };

  let content: ReactNode;
  if (!matched) content = <NotFound />;
  else if (!matched.route.allowed(me.abilities, me)) content = <Forbidden />;
  else {
    const C = matched.route.component;
    content = <C params={matched.params} />;
  }

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} width={208} theme="dark">
        <div className="cg-logo" data-testid="app-logo">
          <span className="cg-logo-mark">网</span>
          {!collapsed && (
            <span>
              <span className="cg-logo-text">{t('appName')}</span>
              <span className="cg-logo-sub">{t('appNameEn')}</span>
            </span>
          )}
        </div>
        <Menu theme="dark" mode="inline" selectedKeys={[selectedKey]} defaultOpenKeys={['community']} items={menuItems} onClick={({ key }) => navigate(String(key))} />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="cg-header">
          <div style={{ fontSize: 15, color: '#555', overflow: 'hidden', whiteSpace: 'nowrap', textOverflow: 'ellipsis' }}>
            {me.cityName ? `${me.cityName} · ` : ''}
            {t('appSubtitle')}
          </div>
          <Space size={16} align="center">
            <span data-testid="user-roles" style={{ lineHeight: 1 }}>
              {me.roles.length === 0 ? (
                <Tag>{t('noRole')}</Tag>
              ) : (
                me.roles.slice(0, 2).map((r) => (
                  <Tag color="blue" key={String(r.id)}>
                    {roleText(r)}
                  </Tag>
                ))
              )}
              {me.roles.length > 2 && (
                <Tooltip title={me.roles.slice(2).map(roleText).join('；')}>
                  <Tag>+{me.roles.length - 2}</Tag>
                </Tooltip>
              )}
            </span>
            {!(me.mfa.required && !me.mfa.enrolled) && <NotificationBell live={me.abilities.readCases} />}
            <Segmented
              data-testid="lang-switch"
              size="small"
              value={lang}
              onChange={(v) => setLang(v as Lang)}
              options={[
                { label: '中文', value: 'zh' },
                { label: 'EN', value: 'en' },
              ]}
            />
            <Dropdown
              menu={{
                items: [
                  { key: 'account', icon: <SettingOutlined />, label: t('account') },
                  { type: 'divider' },
                  { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="logout">{t('logout')}</span> },
                ],
                onClick: ({ key }) => {
                  if (key === 'logout') void logout();
                  else navigate('/account');
                },
              }}
            >
              <Space style={{ cursor: 'pointer' }} data-testid="user-menu">
                <Avatar size="small" style={{ background: '#1677ff' }} icon={<UserOutlined />} />
                <span data-testid="user-display-name">{me.displayName}</span>
              </Space>
            </Dropdown>
            <Button type="text" size="small" icon={<LogoutOutlined />} onClick={() => void logout()} title={t('logout')} data-testid="logout-button" />
          </Space>
        </Layout.Header>
        <Layout.Content className="cg-content">
          <Suspense fallback={<PageFallback />}>{content}</Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

// Shared hooks and small components.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { App as AntApp, Button, Result, Tag, Tooltip, TreeSelect } from 'antd';

type MessageInstance = ReturnType<typeof AntApp.useApp>['message'];
type ModalHookAPI = ReturnType<typeof AntApp.useApp>['modal'];
import { api, ApiError, isAuthRedirect, isForbidden, type Id, type Me, type RegionLevel, type RegionNode, type ResidentTag } from './api.ts';
import { useI18n } from './i18n.ts';
import { navigate } from './router.tsx';

// ---- global message / modal bridge (set from <App> via App.useApp()) ----
let messageApi: MessageInstance | null = null;
let modalApi: ModalHookAPI | null = null;
export function setFeedbackApis(m: MessageInstance, modal: ModalHookAPI): void {
  messageApi = m;
  modalApi = modal;
}
export function getModal(): ModalHookAPI | null {
  return modalApi;
}
export function toastError(err: unknown): void {
  if (isAuthRedirect(err)) return;
  if ((err as Error)?.name === 'AbortError') return;
  const msg = err instanceof Error ? err.message : String(err);
  messageApi?.error(msg);
}
export function toastSuccess(msg: string): void {
  messageApi?.success(msg);
}

// ---- auth context ----
export interface AuthCtx {
  me: Me | null;
  setMe: (me: Me | null) => void;
  refreshMe: () => Promise<void>;
}
export const AuthContext = createContext<AuthCtx>({ me: null, setMe: () => {}, refreshMe: async () => {} });
export function useAuth(): AuthCtx {
  return useContext(AuthContext);
}

// ---- data loading ----
export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (d: T | undefined) => void;
}

/** Runs `fn` whenever deps change. Non-403 errors are toasted; 403 is left to the caller (render <Forbidden/>). */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[], opts: { skip?: boolean } = {}): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(!opts.skip);
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    if (opts.skip) {
      setLoading(false);
      return;
    }
    let cancelled = false;
    setLoading(true);
    setError(undefined);
    fnRef
      .current()
      .then((d) => {
        if (!cancelled) setData(d);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        setError(e);
        if (!isForbidden(e)) toastError(e);
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick, opts.skip]);
  const reload = useCallback(() => setTick((x) => x + 1), []);
  return { data, error, loading, reload, setData };
}

// ---- 403 ----
export function Forbidden({ error, extra }: { error?: unknown; extra?: ReactNode }) {
  const { t } = useI18n();
  const msg = error instanceof ApiError ? error.message : t('forbiddenDefault');
  return (
    <div data-testid="forbidden">
      <Result
        status="403"
        title={t('forbidden')}
        subTitle={msg}
        extra={
          extra ?? (
            <Button type="primary" onClick={() => navigate('/')}>
              {t('backHome')}
            </Button>
          )
        }
      />
    </div>
  );
}

export function NotFound() {
  const { t } = useI18n();
  return (
    <Result
      status="404"
      title="404"
      subTitle={t('notFound')}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t('backHome')}
        </Button>
      }
    />
  );
}

// ---- tags ----
const TAG_COLORS: Record<string, string> = {
  elderly_living_alone: 'orange',
  disabled: 'purple',
  floating_population: 'cyan',
  low_income: 'gold',
  veteran: 'green',
  left_behind_child: 'magenta',
  key_person: 'red',
};

export function ResidentTags({ tags }: { tags: (string | ResidentTag)[] | null | undefined }) {
  const { e } = useI18n();
  if (!tags || tags.length === 0) return <span style={{ color: '#bbb' }}>—</span>;
  return (
    <span>
      {tags.map((tg) => {
        const value = typeof tg === 'string' ? tg : tg.tag;
        const setOn = typeof tg === 'string' ? null : tg.setOn;
        const label = e('tag', value);
        return (
          <Tag key={value} color={TAG_COLORS[value] ?? 'default'} style={{ marginBottom: 2 }}>
            {setOn ? `${label} · ${String(setOn).slice(0, 10)}` : label}
          </Tag>
        );
      })}
    </span>
  );
}

export function Masked({ value, testId }: { value: string | null | undefined; testId?: string }) {
  return (
    <span data-testid={testId} className="cg-masked">
      {value ?? '—'}
    </span>
  );
}

export function useGenderLabel(): (g: string | null | undefined) => string {
  const { t } = useI18n();
  return (g) => {
    if (g == null || g === '') return '—';
    const v = String(g).toLowerCase();
    if (v === 'male' || v === 'm' || v === '1' || v === '男') return t('male');
    if (v === 'female' || v === 'f' || v === '2' || v === '女') return t('female');
    return String(g);
  };
}

export function formatTime(v: string | null | undefined): string {
  if (!v) return '—';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function TruncText({ text, width = 240 }: { text: string; width?: number }) {
  return (
    <Tooltip title={<pre style={{ margin: 0, whiteSpace: 'pre-wrap', maxHeight: 400, overflow: 'auto' }}>{text}</pre>}>
      <span style={{ display: 'inline-block', maxWidth: width, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', verticalAlign: 'bottom' }}>
        {text}
      </span>
    </Tooltip>
  );
}

// ---- region TreeSelect (lazy) ----
const LEVEL_ORDER: RegionLevel[] = ['city', 'district', 'street', 'community', 'compound', 'grid', 'building'];

interface TsNode {
  id: string;
  pId: string | null;
  value: string;
  title: string;
  isLeaf: boolean;
  selectable: boolean;
}

export function RegionTreeSelect({
  value,
  onChange,
  selectableLevel,
  maxLevel = 'grid',
  style,
  placeholder,
  allowClear = true,
  testId,
}: {
  value?: Id | null;
  onChange?: (id: string | undefined, node?: RegionNode) => void;
  /** Only nodes of this level can be selected; deeper levels are not loaded. */
  selectableLevel?: string | null;
  /** Do not expand beyond this level. */
  maxLevel?: RegionLevel;
  style?: React.CSSProperties;
  placeholder?: string;
  allowClear?: boolean;
  testId?: string;
}) {
  const { t, e } = useI18n();
  const [nodes, setNodes] = useState<TsNode[]>([]);
  const regions = useRef(new Map<string, RegionNode>());
  const stopLevel = (selectableLevel && LEVEL_ORDER.includes(selectableLevel as RegionLevel) ? selectableLevel : maxLevel) as RegionLevel;

  const toNode = useCallback(
    (r: RegionNode): TsNode => {
      regions.current.set(String(r.id), r);
      const atStop = LEVEL_ORDER.indexOf(r.level) >= LEVEL_ORDER.indexOf(stopLevel);
      return {
        id: String(r.id),
        pId: r.parentId == null ? null : String(r.parentId),
        value: String(r.id),
        title: `${r.name}（${e('level', r.level)}）`,
        isLeaf: !r.hasChildren || atStop,
        selectable: !selectableLevel || r.level === selectableLevel,
      };
    },
    [e, selectableLevel, stopLevel],
  );

  useEffect(() => {
    let cancelled = false;
    api
      .regionRoots()
      .then((res) => {
        if (cancelled) return;
        // roots are shown as roots even if they have a parent outside the user's scope
        setNodes(res.items.map((r) => ({ ...toNode(r), pId: null })));
      })
      .catch((err) => {
        if (!cancelled) toastError(err);
      });
    return () => {
      cancelled = true;
    };
  }, [toNode]);

  const loadData = async (node: { id?: string; value?: string | number }) => {
    const id = String(node.value ?? node.id);
    try {
      const res = await api.regionChildren(id);
      setNodes((prev) => {
        const have = new Set(prev.map((n) => n.id));
        return [...prev, ...res.items.filter((r) => !have.has(String(r.id))).map((r) => ({ ...toNode(r), pId: id }))];
      });
    } catch (err) {
      toastError(err);
    }
  };

  return (
    <TreeSelect
      data-testid={testId}
      style={{ minWidth: 220, ...style }}
      treeDataSimpleMode
      treeData={nodes}
      loadData={loadData}
      value={value == null || value === '' ? undefined : String(value)}
      onChange={(v) => onChange?.(v == null ? undefined : String(v), v == null ? undefined : regions.current.get(String(v)))}
      placeholder={placeholder ?? t('selectRegion')}
      allowClear={allowClear}
      showSearch={false}
      popupMatchSelectWidth={false}
      treeNodeFilterProp="title"
    />
  );
}

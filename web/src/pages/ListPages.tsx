import { useState, type ReactNode } from 'react';
import { Input, Select, Table, Tag, type TableColumnsType } from 'antd';
import {
  api,
  isForbidden,
  type Paged,
  type PartyMemberItem,
  type PartyOrgItem,
  type ResidentItem,
  type UnitItem,
} from '../api.ts';
import { Forbidden, Masked, RegionTreeSelect, ResidentTags, useAsync, useGenderLabel } from '../common.tsx';
import { ORG_KIND_VALUES, TAG_VALUES, UNIT_KIND_VALUES, useI18n, type MsgKey } from '../i18n.ts';
import { navigate } from '../router.tsx';

type Query = Record<string, string | number | undefined>;

function PagedListPage<T extends { id: unknown }>({
  title,
  testId,
  fetcher,
  columns,
  filters,
  filterValues,
  onRowClick,
}: {
  title: MsgKey;
  testId: string;
  fetcher: (q: Query) => Promise<Paged<T>>;
  columns: TableColumnsType<T>;
  filters?: ReactNode;
  filterValues: Query;
  onRowClick?: (row: T) => void;
}) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [q, setQ] = useState('');
  const [qInput, setQInput] = useState('');
  const filterKey = JSON.stringify(filterValues);
  const [lastFilterKey, setLastFilterKey] = useState(filterKey);
  if (lastFilterKey !== filterKey) {
    setLastFilterKey(filterKey);
    setPage(1);
  }
  const { data, error, loading } = useAsync(() => fetcher({ page, pageSize, q: q || undefined, ...filterValues }), [page, pageSize, q, filterKey]);

  if (isForbidden(error)) return <Forbidden error={error} />;

  return (
    <div className="cg-page" data-testid={testId}>
      <h2 className="cg-page-title">{t(title)}</h2>
      <div className="cg-toolbar">
        <Input.Search
          allowClear
          style={{ width: 260 }}
          placeholder={t('searchPlaceholder')}
          value={qInput}
          onChange={(ev) => {
            setQInput(ev.target.value);
            if (!ev.target.value) {
              setQ('');
              setPage(1);
            }
          }}
          onSearch={(v) => {
            setQ(v.trim());
            setPage(1);
          }}
          enterButton={t('search')}
          data-testid="list-search"
        />
        {filters}
      </div>
      <Table<T>
        rowKey={(r) => String(r.id)}
        size="middle"
        loading={loading}
        columns={columns}
        dataSource={data?.items ?? []}
        scroll={{ x: 'max-content' }}
        onRow={(r) =>
          ({
            'data-testid': 'list-row',
            onClick: onRowClick ? () => onRowClick(r) : undefined,
            className: onRowClick ? 'cg-clickable-row' : undefined,
          }) as React.HTMLAttributes<HTMLElement>
        }
        pagination={{
          current: data?.page ?? page,
          pageSize: data?.pageSize ?? pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50, 100],
          showTotal: (n) => t('total', { n }),
          onChange: (p, ps) => {
            setPage(ps !== pageSize ? 1 : p);
            setPageSize(ps);
          },
        }}
      />
    </div>
  );
}

export function ResidentsPage() {
  const { t, e } = useI18n();
  const gender = useGenderLabel();
  const [tag, setTag] = useState<string | undefined>();
  const [regionId, setRegionId] = useState<string | undefined>();
  return (
    <PagedListPage<ResidentItem>
      title="menuResidents"
      testId="residents-page"
      fetcher={api.residents}
      filterValues={{ tag, regionId }}
      onRowClick={(r) => r.householdId != null && navigate(`/households/${r.householdId}`)}
      filters={
        <>
          <Select
            allowClear
            style={{ width: 180 }}
            placeholder={t('tagFilter')}
            value={tag}
            onChange={setTag}
            options={TAG_VALUES.map((v) => ({ value: v, label: e('tag', v) }))}
            data-testid="filter-tag"
          />
          <RegionTreeSelect value={regionId} onChange={(v) => setRegionId(v)} testId="filter-region" />
        </>
      }
      columns={[
        { title: t('name'), dataIndex: 'name', render: (v: string) => <Masked value={v} /> },
        { title: t('gender'), dataIndex: 'gender', width: 70, render: (v: string | null) => gender(v) },
        { title: t('phone'), dataIndex: 'phone', render: (v: string | null) => <Masked value={v} /> },
        { title: t('idNumber'), dataIndex: 'idNumber', render: (v: string | null) => <Masked value={v} /> },
        { title: t('buildingName'), dataIndex: 'buildingName', render: (v: string | null) => v ?? '—' },
        { title: t('gridNameCol'), dataIndex: 'gridName', render: (v: string | null) => v ?? '—' },
        { title: t('tags'), dataIndex: 'tags', render: (v: ResidentItem['tags']) => <ResidentTags tags={v} /> },
      ]}
    />
  );
}

export function PartyMembersPage() {
  const { t } = useI18n();
  const [regionId, setRegionId] = useState<string | undefined>();
  return (
    <PagedListPage<PartyMemberItem>
      title="menuPartyMembers"
      testId="party-members-page"
      fetcher={api.partyMembers}
      filterValues={{ regionId }}
      filters={<RegionTreeSelect value={regionId} onChange={(v) => setRegionId(v)} testId="filter-region" />}
      columns={[
        { title: t('name'), dataIndex: 'name', render: (v: string) => <Masked value={v} /> },
        { title: t('phone'), dataIndex: 'phone', render: (v: string | null) => <Masked value={v} /> },
        { title: t('partyOrganizationName'), dataIndex: 'partyOrganizationName', render: (v: string | null) => v ?? '—' },
        { title: t('servingUnitName'), dataIndex: 'servingUnitName', render: (v: string | null) => v ?? '—' },
        {
          title: t('isServing'),
          dataIndex: 'isServing',
          width: 100,
          render: (v: boolean) => (v ? <Tag color="red">{t('yes')}</Tag> : <Tag>{t('no')}</Tag>),
        },
        { title: t('linkedHouseholdCount'), dataIndex: 'linkedHouseholdCount', width: 110 },
      ]}
    />
  );
}

export function UnitsPage() {
  const { t, e } = useI18n();
  const [kind, setKind] = useState<string | undefined>();
  const [regionId, setRegionId] = useState<string | undefined>();
  return (
    <PagedListPage<UnitItem>
      title="menuUnits"
      testId="units-page"
      fetcher={api.units}
      filterValues={{ kind, regionId }}
      filters={
        <>
          <Select
            allowClear
            style={{ width: 180 }}
            placeholder={t('kindFilter')}
            value={kind}
            onChange={setKind}
            options={UNIT_KIND_VALUES.map((v) => ({ value: v, label: e('unitKind', v) }))}
            data-testid="filter-kind"
          />
          <RegionTreeSelect value={regionId} onChange={(v) => setRegionId(v)} testId="filter-region" />
        </>
      }
      columns={[
        { title: t('unitName'), dataIndex: 'name' },
        { title: t('unitKind'), dataIndex: 'kind', render: (v: string) => <Tag color="blue">{e('unitKind', v)}</Tag> },
        { title: t('regionName'), dataIndex: 'regionName', render: (v: string | null) => v ?? '—' },
        { title: t('contactName'), dataIndex: 'contactName', render: (v: string | null) => <Masked value={v} /> },
        { title: t('contactPhone'), dataIndex: 'contactPhone', render: (v: string | null) => <Masked value={v} /> },
      ]}
    />
  );
}

export function PartyOrgsPage() {
  const { t, e } = useI18n();
  const [kind, setKind] = useState<string | undefined>();
  const [regionId, setRegionId] = useState<string | undefined>();
  return (
    <PagedListPage<PartyOrgItem>
      title="menuPartyOrgs"
      testId="party-organizations-page"
      fetcher={api.partyOrganizations}
      filterValues={{ kind, regionId }}
      filters={
        <>
          <Select
            allowClear
            style={{ width: 180 }}
            placeholder={t('kindFilter')}
            value={kind}
            onChange={setKind}
            options={ORG_KIND_VALUES.map((v) => ({ value: v, label: e('orgKind', v) }))}
            data-testid="filter-kind"
          />
          <RegionTreeSelect value={regionId} onChange={(v) => setRegionId(v)} testId="filter-region" />
        </>
      }
      columns={[
        { title: t('orgName'), dataIndex: 'name' },
        { title: t('orgKind'), dataIndex: 'kind', render: (v: string) => <Tag color="red">{e('orgKind', v)}</Tag> },
        { title: t('regionName'), dataIndex: 'regionName', render: (v: string | null) => v ?? '—' },
        { title: t('orgMemberCount'), dataIndex: 'memberCount', width: 100 },
      ]}
    />
  );
}

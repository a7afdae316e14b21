import { useEffect, useState } from 'react';
import { Button, Descriptions, Drawer, Empty, List, Modal, Skeleton, Table, Tag, Typography } from 'antd';
import { ArrowLeftOutlined, ExportOutlined, HomeOutlined } from '@ant-design/icons';
import { api, isForbidden, type HouseholdRow, type Id, type LngLat } from '../api.ts';
import { Forbidden, Masked, ResidentTags, useAsync } from '../common.tsx';
import { useI18n } from '../i18n.ts';
import { navigate } from '../router.tsx';
import { HouseholdDetail } from './HouseholdDetail.tsx';

export function GridPanel({
  container,
  gridId,
  buildingId,
  onSelectBuilding,
  onBuildings,
  onClose,
}: {
  container?: React.RefObject<HTMLDivElement | null>;
  gridId: string | null;
  buildingId: string | null;
  onSelectBuilding: (id: string | null) => void;
  onBuildings: (b: { id: Id; name: string; point: LngLat | null }[]) => void;
  onClose: () => void;
}) {
  const { t, e } = useI18n();
  const summary = useAsync(() => api.gridSummary(gridId!), [gridId], { skip: !gridId });
  const [householdId, setHouseholdId] = useState<string | null>(null);

  useEffect(() => {
    if (summary.data && gridId && String(summary.data.grid.id) === gridId) onBuildings(summary.data.buildings);
    else onBuildings([]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [summary.data, gridId]);

  const s = summary.data && gridId && String(summary.data.grid.id) === gridId ? summary.data : undefined;

  let body: React.ReactNode;
  if (!gridId) body = null;
  else if (isForbidden(summary.error)) body = <Forbidden error={summary.error} extra={<span />} />;
  else if (!s) body = summary.loading ? <Skeleton active /> : <Empty />;
  else if (buildingId)
    body = (
      <BuildingHouseholds
        buildingId={buildingId}
        onBack={() => onSelectBuilding(null)}
        onOpenHousehold={(id) => setHouseholdId(id)}
      />
    );
  else
    body = (
      <>
        <Descriptions size="small" column={1} bordered>
          <Descriptions.Item label={t('gridName')}>
            <span data-testid="grid-name">{s.grid.name}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('gridCode')}>
            <span data-testid="grid-code">{s.grid.code}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('community')}>{s.community?.name ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('gridWorkers')}>
            <span data-testid="grid-workers">
              {s.gridWorkers.length ? s.gridWorkers.map((w) => <Tag key={String(w.id)}>{w.displayName}</Tag>) : t('none')}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t('partyOrganization')}>
            <span data-testid="grid-party-org">
              {s.partyOrganization ? (
                <>
                  {s.partyOrganization.name}{' '}
                  <Tag color="red" bordered={false}>
                    {e('orgKind', s.partyOrganization.kind)}
                  </Tag>
                </>
              ) : (
                t('none')
              )}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t('householdCount')}>
            <span data-testid="grid-household-count">{s.householdCount}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('residentCount')}>{s.residentCount}</Descriptions.Item>
        </Descriptions>
        <Typography.Title level={5} style={{ marginTop: 16 }}>
          {t('buildings')} ({s.buildings.length})
          <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal', marginLeft: 8 }}>
            {t('clickBuildingHint')}
          </Typography.Text>
        </Typography.Title>
        <List
          size="small"
          bordered
          dataSource={s.buildings}
          locale={{ emptyText: t('noData') }}
          renderItem={(b) => (
            <List.Item
              data-testid="building-item"
              style={{ cursor: 'pointer' }}
              onClick={() => onSelectBuilding(String(b.id))}
              extra={<Tag>{t('householdCount')}: {b.householdCount}</Tag>}
            >
              <span>
                <HomeOutlined style={{ marginRight: 6, color: '#1677ff' }} />
                {b.name}
                <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
                  {b.code}
                </Typography.Text>
              </span>
            </List.Item>
          )}
        />
      </>
    );

  return (
    <>
      <Drawer
        open={!!gridId}
        onClose={onClose}
        mask={false}
        placement="right"
        size={520}
        getContainer={container ? () => container.current ?? document.body : undefined}
        rootStyle={container ? { position: 'absolute' } : undefined}
        title={s ? `${t('gridPanel')} · ${s.grid.name}` : t('gridPanel')}
        destroyOnHidden
      >
        <div data-testid="grid-panel">{body}</div>
      </Drawer>
      <Modal
        open={!!householdId}
        onCancel={() => setHouseholdId(null)}
        footer={null}
        width={1000}
        destroyOnHidden
        title={
          <span>
            {t('householdDetail')}
            {householdId && (
              <Button type="link" size="small" icon={<ExportOutlined />} onClick={() => navigate(`/households/${householdId}`)}>
                {t('openAsPage')}
              </Button>
            )}
          </span>
        }
      >
        {householdId && <HouseholdDetail id={householdId} forbiddenExtra={<span />} />}
      </Modal>
    </>
  );
}

function BuildingHouseholds({
  buildingId,
  onBack,
  onOpenHousehold,
}: {
  buildingId: string;
  onBack: () => void;
  onOpenHousehold: (id: string) => void;
}) {
  const { t } = useI18n();
  const { data, error, loading } = useAsync(() => api.building(buildingId), [buildingId]);
  return (
    <div data-testid="building-detail">
      <Button type="link" icon={<ArrowLeftOutlined />} onClick={onBack} style={{ paddingLeft: 0 }}>
        {t('backToBuildings')}
      </Button>
      {isForbidden(error) ? (
        <Forbidden error={error} extra={<span />} />
      ) : (
        <>
          {data && (
            <Descriptions size="small" column={2} bordered style={{ margin: '8px 0 12px' }}>
              <Descriptions.Item label={t('building')}>
                <span data-testid="building-name">{data.building.name}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('buildingCode')}>{data.building.code}</Descriptions.Item>
            </Descriptions>
          )}
          <Table<HouseholdRow>
            size="small"
            rowKey={(r) => String(r.id)}
            loading={loading}
            dataSource={data?.households ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            rowClassName={() => 'cg-clickable-row'}
            onRow={(r) =>
              ({
                'data-testid': 'household-row',
                onClick: () => onOpenHousehold(String(r.id)),
              }) as React.HTMLAttributes<HTMLElement>
            }
            locale={{ emptyText: t('noData') }}
            columns={[
              { title: t('doorNumber'), dataIndex: 'doorNumber', width: 80 },
              { title: t('headName'), dataIndex: 'headName', render: (v: string | null) => <Masked value={v} /> },
              { title: t('phone'), dataIndex: 'phone', render: (v: string | null) => <Masked value={v} /> },
              { title: t('memberCount'), dataIndex: 'memberCount', width: 60 },
              { title: t('tags'), dataIndex: 'tags', render: (v: string[]) => <ResidentTags tags={v} /> },
            ]}
          />
        </>
      )}
    </div>
  );
}

import { useState } from 'react';
import { Button, Descriptions, Skeleton, Table, Tag } from 'antd';
import { EyeOutlined } from '@ant-design/icons';
import { api, isForbidden, type HouseholdResident, type Id, type RevealResult } from '../api.ts';
import { Forbidden, getModal, Masked, ResidentTags, toastError, useAsync, useGenderLabel } from '../common.tsx';
import { useI18n } from '../i18n.ts';

/** Household with its residents; used in the map modal and the /households/:id page. */
export function HouseholdDetail({ id, forbiddenExtra }: { id: Id; forbiddenExtra?: React.ReactNode }) {
  const { t, e } = useI18n();
  const gender = useGenderLabel();
  const { data, error, loading } = useAsync(() => api.household(id), [id]);
  const [revealed, setRevealed] = useState<Record<string, RevealResult>>({});
  const [revealing, setRevealing] = useState<string | null>(null);

  if (isForbidden(error)) return <Forbidden error={error} extra={forbiddenExtra} />;
  if (loading && !data) return <Skeleton active />;
  if (!data) return null;

  const doReveal = async (r: HouseholdResident) => {
    setRevealing(String(r.id));
    try {
      const res = await api.reveal(r.id, ['name', 'phone', 'idNumber']);
      const v: RevealResult = res?.fields ?? res?.resident ?? res ?? {};
      setRevealed((prev) => ({ ...prev, [String(r.id)]: v }));
    } catch (err) {
      if (isForbidden(err)) getModal()?.error({ title: t('forbidden'), content: (err as Error).message });
      else toastError(err);
    } finally {
      setRevealing(null);
    }
  };

  const confirmReveal = (r: HouseholdResident) => {
    const modal = getModal();
    if (!modal) return void doReveal(r);
    modal.confirm({
      title: t('revealConfirmTitle'),
      content: <div data-testid="reveal-confirm">{t('revealConfirmContent')}</div>,
      okText: t('revealConfirmOk'),
      cancelText: t('cancel'),
      onOk: () => doReveal(r),
    });
  };

  const { household, residents } = data;
  return (
    <div data-testid="household-detail">
      <Descriptions size="small" column={2} bordered style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('doorNumber')}>
          <span data-testid="household-door">{household.doorNumber}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('memberCount')}>{residents.length}</Descriptions.Item>
        <Descriptions.Item label={t('address')} span={2}>
          {household.address ?? '—'}
        </Descriptions.Item>
      </Descriptions>
      <Table<HouseholdResident>
        rowKey={(r) => String(r.id)}
        size="small"
        pagination={false}
        dataSource={residents}
        scroll={{ x: 'max-content' }}
        onRow={() => ({ 'data-testid': 'resident-row' }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('name'),
            key: 'name',
            render: (_, r) => {
              const rv = revealed[String(r.id)];
              return (
                <span>
                  <Masked value={rv?.name ?? r.name} testId="resident-name" />
                  {rv && (
                    <Tag color="warning" style={{ marginLeft: 6 }}>
                      {t('revealed')}
                    </Tag>
                  )}
                </span>
              );
            },
          },
          { title: t('gender'), key: 'gender', width: 70, render: (_, r) => gender(r.gender) },
          { title: t('birthDate'), dataIndex: 'birthDate', width: 110, render: (v: string | null) => v ?? '—' },
          {
            title: t('phone'),
            key: 'phone',
            render: (_, r) => <Masked value={revealed[String(r.id)]?.phone ?? r.phone} testId="resident-phone" />,
          },
          {
            title: t('idNumber'),
            key: 'idNumber',
            render: (_, r) => <Masked value={revealed[String(r.id)]?.idNumber ?? r.idNumber} testId="resident-id-number" />,
          },
          { title: t('relationToHead'), key: 'rel', render: (_, r) => e('relation', r.relationToHead) || '—' },
          { title: t('tags'), key: 'tags', render: (_, r) => <ResidentTags tags={r.tags} /> },
          {
            title: t('actions'),
            key: 'act',
            render: (_, r) =>
              r.abilities?.reveal && !revealed[String(r.id)] ? (
                <Button
                  size="small"
                  icon={<EyeOutlined />}
                  loading={revealing === String(r.id)}
                  onClick={() => confirmReveal(r)}
                  data-testid="reveal-button"
                >
                  {t('showFull')}
                </Button>
              ) : null,
          },
        ]}
      />
    </div>
  );
}

import { Button } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { HouseholdDetail } from '../components/HouseholdDetail.tsx';
import { useI18n } from '../i18n.ts';
import { navigate } from '../router.tsx';

export default function HouseholdPage({ params }: { params: Record<string, string> }) {
  const { t } = useI18n();
  return (
    <div className="cg-page">
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, marginBottom: 12 }}>
        <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => (window.history.length > 1 ? window.history.back() : navigate('/map'))} />
        <h2 className="cg-page-title" style={{ margin: 0 }}>
          {t('householdDetail')}
        </h2>
      </div>
      <HouseholdDetail id={params.id} />
    </div>
  );
}

import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { SafetyOutlined } from '@ant-design/icons';
import { api } from '../api.ts';
import { toastError, toastSuccess, useAuth } from '../common.tsx';
import { useI18n } from '../i18n.ts';
import { navigate } from '../router.tsx';

export default function AccountPage() {
  const { t } = useI18n();
  const { me } = useAuth();
  const mustEnroll = !!me && me.mfa.required && !me.mfa.enrolled;
  return (
    <div style={{ maxWidth: 720 }}>
      {mustEnroll && <Alert type="warning" showIcon title={t('totpMustEnroll')} style={{ marginBottom: 16 }} data-testid="totp-must-enroll" />}
      <TotpCard />
      {!mustEnroll && <PasswordCard />}
    </div>
  );
}

function PasswordCard() {
  const { t } = useI18n();
  const [form] = Form.useForm<{ currentPassword: string; newPassword: string; confirm: string }>();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const submit = async (v: { currentPassword: string; newPassword: string }) => {
    setSaving(true);
    setError(null);
    try {
      await api.changePassword({ currentPassword: v.currentPassword, newPassword: v.newPassword });
      toastSuccess(t('passwordChanged'));
      form.resetFields();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Card title={t('changePassword')} style={{ marginBottom: 16 }} data-testid="change-password">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="change-password-error" />}
      <Form form={form} layout="vertical" onFinish={submit} style={{ maxWidth: 400 }}>
        <Form.Item name="currentPassword" label={t('currentPassword')} rules={[{ required: true, message: t('passwordRequired') }]}>
          <Input.Password autoComplete="current-password" data-testid="current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label={t('newPassword')} extra={t('passwordPolicyHint')} rules={[{ required: true, message: t('passwordRequired') }]}>
          <Input.Password autoComplete="new-password" data-testid="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('confirmPassword')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('passwordRequired') },
            ({ getFieldValue }) => ({
              validator: (_, value) => (!value || getFieldValue('newPassword') === value ? Promise.resolve() : Promise.reject(new Error(t('passwordMismatch')))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="confirm-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={saving} data-testid="change-password-submit">
          {t('save')}
        </Button>
      </Form>
    </Card>
  );
}

function TotpCard() {
  const { t } = useI18n();
  const { me, refreshMe } = useAuth();
  const [setup, setSetup] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const enrolled = !!me?.mfa.enrolled;

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      setSetup(await api.totpSetup());
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.totpConfirm(code.trim());
      toastSuccess(t('totpDone'));
      setSetup(null);
      setCode('');
      await refreshMe();
      if (window.location.pathname === '/account/totp') navigate('/');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title={
        <span>
          <SafetyOutlined style={{ marginRight: 8, color: '#1677ff' }} />
          {t('totpTitle')}
        </span>
      }
      style={{ marginBottom: 16 }}
      data-testid="totp-card"
    >
      {enrolled && !setup ? (
        <Alert type="success" showIcon title={t('totpEnrolled')} />
      ) : !setup ? (
        <Space orientation="vertical">
          <Typography.Text type="secondary">{t('totpNotEnrolled')}</Typography.Text>
          <Button type="primary" onClick={() => void start()} loading={busy} data-testid="totp-setup">
            {t('totpStart')}
          </Button>
        </Space>
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph>1. {t('totpStep1')}</Typography.Paragraph>
          <div>
            <Typography.Text strong>{t('totpSecret')}：</Typography.Text>
            <Typography.Text className="cg-mono" copyable data-testid="totp-secret">
              {setup.secret}
            </Typography.Text>
          </div>
          <div>
            <Typography.Text strong>{t('totpUrl')}：</Typography.Text>
            <Typography.Text className="cg-mono" copyable data-testid="totp-url">
              {setup.otpauthUrl}
            </Typography.Text>
          </div>
          <Typography.Paragraph style={{ marginTop: 8 }}>2. {t('totpStep2')}</Typography.Paragraph>
          {error && <Alert type="error" showIcon title={error} />}
          <Space>
            <Input
              style={{ width: 160 }}
              maxLength={6}
              inputMode="numeric"
              autoComplete="one-time-code"
              placeholder="123456"
              value={code}
              onChange={(ev) => setCode(ev.target.value.replace(/\D/g, ''))}
              onPressEnter={() => code.length === 6 && void confirm()}
              data-testid="totp-code"
            />
            <Button type="primary" disabled={code.length !== 6} loading={busy} onClick={() => void confirm()} data-testid="totp-confirm">
              {t('totpConfirm')}
            </Button>
          </Space>
        </Space>
      )}
    </Card>
  );
}

import { useRef, useState } from 'react';
import { Alert, Button, Card, Form, Input, Segmented } from 'antd';
import { LockOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons';
import { api, ApiError } from '../api.ts';
import { useAuth } from '../common.tsx';
import { useI18n, type Lang } from '../i18n.ts';

interface LoginValues {
  username: string;
  password: string;
  totpCode?: string;
}

export function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const { setMe } = useAuth();
  const [form] = Form.useForm<LoginValues>();
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const totpRef = useRef<{ focus: () => void } | null>(null);

  const onFinish = async (v: LoginValues) => {
    setLoading(true);
    setError(null);
    try {
      const res = await api.login({
        username: v.username.trim(),
        password: v.password,
        ...(needTotp && v.totpCode ? { totpCode: v.totpCode.trim() } : {}),
      });
      setMe(res.user);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required') {
        setNeedTotp(true);
        setError(null);
        setTimeout(() => totpRef.current?.focus(), 50);
      } else {
        if (err instanceof ApiError && err.code === 'totp_invalid') form.setFieldValue('totpCode', '');
        setError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      setLoading(false);
    }
  };

  return (
    <div className="cg-login-bg">
      <div>
        <div className="cg-login-brand">
          <h1>{lang === 'zh' ? '网格通' : 'CivicGrid'}</h1>
          <p>
            {lang === 'zh' ? 'CivicGrid' : '网格通'} · {t('appSubtitle')}
          </p>
        </div>
        <Card
          className="cg-login-card"
          title={t('loginTitle')}
          extra={
            <Segmented
              size="small"
              value={lang}
              onChange={(v) => setLang(v as Lang)}
              options={[
                { label: '中文', value: 'zh' },
                { label: 'EN', value: 'en' },
              ]}
            />
          }
        >
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
          <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false} autoComplete="on">
            <Form.Item name="username" label={t('username')} rules={[{ required: true, message: t('usernameRequired') }]}>
              <Input prefix={<UserOutlined />} autoComplete="username" data-testid="login-username" readOnly={needTotp} size="large" />
            </Form.Item>
            <Form.Item name="password" label={t('password')} rules={[{ required: true, message: t('passwordRequired') }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" readOnly={needTotp} size="large" />
            </Form.Item>
            {needTotp && (
              <Form.Item
                name="totpCode"
                label={t('totpCode')}
                extra={t('totpHint')}
                rules={[{ required: true, pattern: /^\s*\d{6}\s*$/, message: t('totpRequired') }]}
              >
                <Input
                  ref={(el) => {
                    totpRef.current = el;
                  }}
                  prefix={<SafetyOutlined />}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={6}
                  data-testid="login-totp"
                  size="large"
                />
              </Form.Item>
            )}
            <Button type="primary" htmlType="submit" block size="large" loading={loading} data-testid="login-submit">
              {t('login')}
            </Button>
            {needTotp && (
              <Button
                type="link"
                block
                style={{ marginTop: 8 }}
                onClick={() => {
                  setNeedTotp(false);
                  form.setFieldValue('totpCode', '');
                }}
              >
                {t('back')}
              </Button>
            )}
          </Form>
          <div style={{ marginTop: 16, color: '#999', fontSize: 12, textAlign: 'center' }}>{t('loginFooter')}</div>
        </Card>
      </div>
    </div>
  );
}

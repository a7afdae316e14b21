import { useState } from 'react';
import { Alert, Button, Form, InputNumber, Modal, Switch, Tooltip } from 'antd';
import { SettingOutlined } from '@ant-design/icons';
import { api } from '../../api.ts';
import { toastError, toastSuccess } from '../../common.tsx';
import { useCommandI18n } from './messages.ts';
import { metricsApi, type MetricSettings } from './metricsApi.ts';

/**
 * The city administrator's rate definitions (基本满意 counts or not) and composite weights. Shown only with
 * the server's `configureMetrics` ability; the server checks it again and audits the change.
 */
export function MetricSettingsButton({ onSaved }: { onSaved: () => void }) {
  const { t } = useCommandI18n();
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<MetricSettings>();

  const show = async () => {
    try {
      const { settings } = await metricsApi.settings();
      form.setFieldsValue(settings);
      setOpen(true);
    } catch (error) {
      toastError(error);
    }
  };
  const save = async () => {
    const values = await form.validateFields();
    setSaving(true);
    try {
      await api.updateMetricSettings(values);
      toastSuccess(t('settingsSaved'));
      setOpen(false);
      onSaved();
    } catch (error) {
      toastError(error);
    } finally {
      setSaving(false);
    }
  };
  const weight = (name: 'response' | 'resolution' | 'satisfaction', label: string) => (
    <Form.Item
      name={['weights', name]}
      label={label}
      rules={[
        { required: true, type: 'number', min: 0, max: 100 },
        {
          validator: async () => {
            const w = form.getFieldValue('weights') as MetricSettings['weights'] | undefined;
            if (w && (w.response ?? 0) + (w.resolution ?? 0) + (w.satisfaction ?? 0) <= 0) throw new Error(t('weightsNonZero'));
          },
        },
      ]}
    >
      <InputNumber min={0} max={100} step={0.1} style={{ width: 160 }} data-testid={`metric-weight-${name}`} />
    </Form.Item>
  );
  return (
    <>
      <Tooltip title={t('rateSettings')}>
        <Button size="small" icon={<SettingOutlined />} onClick={show} data-testid="command-settings" />
      </Tooltip>
      <Modal open={open} title={t('rateSettings')} onCancel={() => setOpen(false)} onOk={save} confirmLoading={saving} destroyOnHidden>
        <Alert type="info" showIcon title={t('rateSettingsHelp')} style={{ marginBottom: 16 }} />
        <Form form={form} layout="horizontal" labelCol={{ span: 10 }}>
          <Form.Item name="satisfactionIncludesBasic" label={t('includeBasic')} valuePropName="checked">
            <Switch data-testid="metric-include-basic" />
          </Form.Item>
          {weight('response', t('weightResponse'))}
          {weight('resolution', t('weightResolution'))}
          {weight('satisfaction', t('weightSatisfaction'))}
        </Form>
      </Modal>
    </>
  );
}

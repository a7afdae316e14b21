import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Form, Progress, Row, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { InboxOutlined, UploadOutlined } from '@ant-design/icons';
import { api, asArray, isForbidden, type Id, type ImportError, type ImportJob, type ImportKind, type ImportStatus } from '../api.ts';
import { Forbidden, formatTime, RegionTreeSelect, toastError, toastSuccess, useAsync } from '../common.tsx';
import { useI18n } from '../i18n.ts';
import { ImportErrorTable, SampleRowsCard, useImportJob } from '../components/ImportParts.tsx';

type FileFormat = 'csv' | 'xlsx' | 'geojson';

function detectFormat(name: string): FileFormat | null {
  const n = name.toLowerCase();
  if (n.endsWith('.csv') || n.endsWith('.txt')) return 'csv';
  if (n.endsWith('.xlsx') || n.endsWith('.xls')) return 'xlsx';
  if (n.endsWith('.geojson') || n.endsWith('.json')) return 'geojson';
  return null;
}

function parseCsvLine(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQ = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inQ) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else inQ = false;
      } else cur += c;
    } else if (c === '"') inQ = true;
    else if (c === delim) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** Reads the header row (and a few sample rows) of a CSV file in the browser. UTF-8 with GBK fallback. */
async function readCsvHead(file: File): Promise<{ headers: string[]; sampleRows: string[][] }> {
  const buf = await file.slice(0, 256 * 1024).arrayBuffer();
  let text = new TextDecoder('utf-8').decode(buf);
  if (text.includes('\uFFFD')) {
    try {
      text = new TextDecoder('gbk').decode(buf);
    } catch {
      /* keep utf-8 */
    }
  }
  text = text.replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!lines.length) return { headers: [], sampleRows: [] };
  const first = lines[0];
  const counts: [string, number][] = [',', '\t', ';', '|'].map((d) => [d, first.split(d).length - 1]);
  counts.sort((a, b) => b[1] - a[1]);
  const delim = counts[0][1] > 0 ? counts[0][0] : ',';
  return {
    headers: parseCsvLine(first, delim).filter((h) => h !== ''),
    sampleRows: lines.slice(1, 6).map((l) => parseCsvLine(l, delim)),
  };
}

const norm = (s: string) => s.toLowerCase().replace(/[\s_\-（）()]/g, '');

function autoMap(kind: ImportKind, headers: string[]): Record<string, string | undefined> {
  const m: Record<string, string | undefined> = {};
  for (const f of kind.fields) {
    const hit =
      headers.find((h) => h === f.name) ??
      headers.find((h) => h === f.label) ??
      headers.find((h) => norm(h) === norm(f.name)) ??
      headers.find((h) => norm(h) === norm(f.label));
    m[f.name] = hit;
  }
  return m;
}

const STATUS_COLOR: Record<ImportStatus, string> = {
  queued: 'default',
  validating: 'processing',
  importing: 'processing',
  succeeded: 'success',
  failed: 'error',
};

export default function ImportPage() {
  const { t, e } = useI18n();
  const kindsState = useAsync(() => api.importKinds(), []);
  const kinds = asArray(kindsState.data);
  const [kindName, setKindName] = useState<string | undefined>();
  const kind = kinds.find((k) => k.kind === kindName);
  const [file, setFile] = useState<File | null>(null);
  const [headers, setHeaders] = useState<string[]>([]);
  const [sampleRows, setSampleRows] = useState<string[][]>([]);
  const [readingHeaders, setReadingHeaders] = useState(false);
  const [mapping, setMapping] = useState<Record<string, string | undefined>>({});
  const [regionId, setRegionId] = useState<string | undefined>();
  const [submitting, setSubmitting] = useState(false);
  const [jobId, setJobId] = useState<Id | null>(null);
  const [histPage, setHistPage] = useState(1);
  const history = useAsync(() => api.imports({ page: histPage, pageSize: 10 }), [histPage]);

  const format = file ? detectFormat(file.name) : null;
  const tabular = format === 'csv' || format === 'xlsx';

  // read headers when file/kind changes
  useEffect(() => {
    setHeaders([]);
    setSampleRows([]);
    if (!file || !kind || !tabular) return;
    let cancelled = false;
    setReadingHeaders(true);
    const p =
      format === 'csv'
        ? readCsvHead(file)
        : (() => {
            const fd = new FormData();
            fd.append('kind', kind.kind);
            fd.append('file', file, file.name);
            return api.importPreview(fd);
          })();
    p.then((res) => {
      if (cancelled) return;
      setHeaders(res.headers);
      setSampleRows(res.sampleRows ?? []);
      setMapping(autoMap(kind, res.headers));
    })
      .catch((err) => !cancelled && toastError(err))
      .finally(() => !cancelled && setReadingHeaders(false));
    return () => {
      cancelled = true;
    };
  }, [file, kind, format, tabular]);

  // poll job
  const job = useImportJob(jobId, () => history.reload());

  const missingRequired = useMemo(
    () => (kind && tabular ? kind.fields.filter((f) => f.required && !mapping[f.name]) : []),
    [kind, tabular, mapping],
  );

  const formatOk = !!(kind && format && kind.formats.map((f) => f.toLowerCase()).includes(format));

  const submit = async () => {
    if (!kind || !file) return;
    setSubmitting(true);
    try {
      const fd = new FormData();
      fd.append('kind', kind.kind);
      if (tabular) {
        const m: Record<string, string> = {};
        for (const [k, v] of Object.entries(mapping)) if (v) m[k] = v;
        fd.append('mapping', JSON.stringify(m));
      }
      if (regionId) fd.append('regionId', regionId);
      fd.append('file', file, file.name); // file last so fields are parsed first
      const res = await api.importStart(fd);
      setJobId(res.id);
    } catch (err) {
      toastError(err);
    } finally {
      setSubmitting(false);
    }
  };

  if (isForbidden(kindsState.error)) return <Forbidden error={kindsState.error} />;

  const statusTag = (s: ImportStatus) => (
    <Tag color={STATUS_COLOR[s] ?? 'default'} data-testid="import-status-tag">
      {t(`status_${s}` as 'status_queued')}
    </Tag>
  );

  return (
    <div data-testid="import-page">
      <Row gutter={16}>
        <Col xs={24} xl={14}>
          <Card title={t('importTitle')} style={{ marginBottom: 16 }}>
            <Form layout="vertical">
              <Form.Item label={t('importKind')} required>
                <Select
                  data-testid="import-kind"
                  loading={kindsState.loading}
                  value={kindName}
                  onChange={(v) => {
                    setKindName(v);
                    setMapping({});
                  }}
                  options={kinds.map((k) => ({
                    value: k.kind,
                    label: `${e('importKind', k.kind)}（${k.formats.join(' / ').toUpperCase()}）`,
                  }))}
                  style={{ maxWidth: 420 }}
                />
              </Form.Item>
              {kind && (
                <Form.Item label={t('importFile')} required extra={t('importFormats', { f: kind.formats.join(', ').toUpperCase() })}>
                  <Upload.Dragger
                    multiple={false}
                    maxCount={1}
                    accept={kind.formats.map((f) => (f === 'geojson' ? '.geojson,.json' : `.${f}`)).join(',')}
                    beforeUpload={(f) => {
                      setFile(f);
                      setJobId(null);
                      return false;
                    }}
                    onRemove={() => {
                      setFile(null);
                    }}
                    fileList={file ? [{ uid: 'f', name: file.name, status: 'done' }] : []}
                    data-testid="import-file"
                  >
                    <p className="ant-upload-drag-icon">
                      <InboxOutlined />
                    </p>
                    <p className="ant-upload-text">{t('importChooseFile')}</p>
                  </Upload.Dragger>
                </Form.Item>
              )}
              {kind && file && !formatOk && <Alert type="warning" showIcon title={t('importFormats', { f: kind.formats.join(', ').toUpperCase() })} style={{ marginBottom: 16 }} />}
              {kind && file && format === 'geojson' && formatOk && (
                <Alert type="info" showIcon title={t('importGeojsonNoMapping')} style={{ marginBottom: 16 }} />
              )}
              {kind && file && tabular && formatOk && (
                <Form.Item label={t('importMapping')} extra={t('importMappingHint')}>
                  {readingHeaders ? (
                    <Typography.Text type="secondary">{t('importReadingHeaders')}</Typography.Text>
                  ) : headers.length === 0 ? (
                    <Alert type="warning" showIcon title={t('importNoHeaders')} />
                  ) : (
                    <Table
                      size="small"
                      pagination={false}
                      rowKey="name"
                      dataSource={kind.fields}
                      data-testid="import-mapping"
                      columns={[
                        {
                          title: t('importTargetField'),
                          key: 'f',
                          render: (_, f) => (
                            <span>
                              {f.label || f.name}{' '}
                              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                                {f.name}
                              </Typography.Text>
                              {f.required && (
                                <Tag color="red" style={{ marginLeft: 6 }}>
                                  {t('importRequired')}
                                </Tag>
                              )}
                            </span>
                          ),
                        },
                        {
                          title: t('importSourceColumn'),
                          key: 'c',
                          width: 260,
                          render: (_, f) => (
                            <Select
                              allowClear
                              style={{ width: '100%' }}
                              placeholder={t('importNotMapped')}
                              value={mapping[f.name]}
                              status={f.required && !mapping[f.name] ? 'error' : undefined}
                              onChange={(v) => setMapping((m) => ({ ...m, [f.name]: v }))}
                              options={headers.map((h) => ({ value: h, label: h }))}
                              data-testid={`mapping-${f.name}`}
                            />
                          ),
                        },
                      ]}
                    />
                  )}
                </Form.Item>
              )}
              {kind && file && (
                <Form.Item label={t('importRegion')}>
                  <RegionTreeSelect value={regionId} onChange={(v) => setRegionId(v)} style={{ maxWidth: 420, width: '100%' }} maxLevel="building" />
                </Form.Item>
              )}
              {missingRequired.length > 0 && headers.length > 0 && (
                <Alert
                  type="warning"
                  showIcon
                  style={{ marginBottom: 16 }}
                  title={t('importMissingRequired', { f: missingRequired.map((f) => f.label || f.name).join('、') })}
                />
              )}
              <Button
                type="primary"
                icon={<UploadOutlined />}
                disabled={!kind || !file || !formatOk || missingRequired.length > 0 || (tabular && headers.length === 0) || readingHeaders}
                loading={submitting}
                onClick={() => void submit()}
                data-testid="import-submit"
              >
                {t('importStart')}
              </Button>
            </Form>
          </Card>
          <SampleRowsCard title={t('importSample')} headers={headers} rows={sampleRows} />
        </Col>
        <Col xs={24} xl={10}>
          {jobId != null && (
            <Card title={t('importJob', { id: String(jobId) })} style={{ marginBottom: 16 }} data-testid="import-job">
              {!job ? (
                <Progress percent={0} status="active" />
              ) : (
                <JobView job={job} statusTag={statusTag} />
              )}
            </Card>
          )}
          <Card title={t('importHistory')} size="small">
            <Table<ImportJob>
              size="small"
              rowKey={(r) => String(r.id)}
              loading={history.loading}
              dataSource={history.data?.items ?? []}
              onRow={(r) => ({ onClick: () => setJobId(r.id), className: 'cg-clickable-row' })}
              pagination={{
                current: histPage,
                pageSize: history.data?.pageSize ?? 10,
                total: history.data?.total ?? 0,
                onChange: setHistPage,
                showSizeChanger: false,
                size: 'small',
              }}
              columns={[
                { title: 'ID', dataIndex: 'id', width: 60 },
                { title: t('importKind'), dataIndex: 'kind', render: (v: string) => e('importKind', v) },
                { title: t('importStatus'), dataIndex: 'status', render: (v: ImportStatus) => statusTag(v) },
                { title: t('importProcessed'), key: 'p', render: (_, r) => `${r.processed ?? 0}/${r.total ?? 0}` },
                { title: t('importCreatedAt'), dataIndex: 'createdAt', render: (v: string) => formatTime(v) },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}

function JobView({ job, statusTag }: { job: ImportJob; statusTag: (s: ImportStatus) => React.ReactNode }) {
  const { t, e } = useI18n();
  const errors = job.errors ?? [];
  const percent =
    job.status === 'succeeded' ? 100 : job.total > 0 ? Math.min(100, Math.floor(((job.processed ?? 0) / job.total) * 100)) : 0;
  useEffect(() => {
    if (job.status === 'succeeded') toastSuccess(t('importSucceeded', { n: job.total ?? job.processed ?? 0 }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job.status]);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" column={2}>
        <Descriptions.Item label={t('importKind')}>{e('importKind', job.kind)}</Descriptions.Item>
        <Descriptions.Item label={t('importStatus')}>
          <span data-testid="import-status" data-status={job.status}>
            {statusTag(job.status)}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('importProcessed')}>
          {job.processed ?? 0} / {job.total ?? 0}
        </Descriptions.Item>
        <Descriptions.Item label={t('importFinishedAt')}>{formatTime(job.finishedAt)}</Descriptions.Item>
      </Descriptions>
      <Progress
        data-testid="import-progress"
        percent={percent}
        status={job.status === 'failed' ? 'exception' : job.status === 'succeeded' ? 'success' : 'active'}
      />
      {job.status === 'succeeded' && <Alert type="success" showIcon title={t('importSucceeded', { n: job.total ?? job.processed ?? 0 })} />}
      {job.status === 'failed' && (
        <>
          <Alert type="error" showIcon title={t('importFailedNothing', { n: errors.length })} data-testid="import-failed" />
          <ImportErrorTable errors={errors} testId="import-errors" labels={{ line: t('importLine'), column: t('importColumn'), reason: t('importReason') }} />
        </>
      )}
    </Space>
  );
}

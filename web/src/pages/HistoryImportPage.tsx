// 历史工单导入: past cases from another hotline system, from CSV or XLSX, with a column mapping.
// The server does the work (kind `case_history` of the import jobs: every row validated before anything
// is written, nothing half-imported); this page picks the file, maps its columns, shows a preview, starts
// the job and follows its progress and errors.
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Form, Input, Progress, Row, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { DeleteOutlined, InboxOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { api, asArray, isForbidden, type Id, type ImportError, type ImportField, type ImportJob, type ImportStatus } from '../api.ts';
import { Forbidden, formatTime, RegionTreeSelect, toastError, toastSuccess, useAsync } from '../common.tsx';
import { useI18n } from '../i18n.ts';
import { ImportErrorTable, SampleRowsCard, useImportJob } from '../components/ImportParts.tsx';

type Field = ImportField & { aliases?: string[] };
type HistoryJob = ImportJob & { summary?: Record<string, unknown> | null };

const STATUSES = ['submitted', 'dispatched', 'in_progress', 'summoned', 'replied', 'called_back', 'rated', 'closed', 'declined', 'merged'] as const;

const TEXT = {
  zh: {
    title: '历史工单导入',
    intro: '从原热线系统导出的 CSV 或 XLSX 导入历史工单。每一行先全部校验，有任何错误则一条也不导入；导入的工单与本系统的工单一样计入各项指标，原系统未记录的时间保持为空。',
    file: '文件',
    choose: '点击或拖入 CSV / XLSX 文件（第一行为表头）',
    reading: '正在读取表头…',
    noHeaders: '没有读到表头',
    mapping: '列对应',
    mappingHint: '已按常见表头（受理时间、办结时间、诉求类别、承办单位、地址、经度、纬度、状态、满意度…）自动对应，可逐项调整。',
    target: '目标字段',
    source: '文件中的列',
    notMapped: '不导入',
    required: '必填',
    placeNeeded: '需要“地址”或“经度 + 纬度”中的至少一种，用于确定工单所在网格。',
    missing: '必填字段未对应：',
    options: '导入选项',
    prefix: '编号前缀',
    prefixHint: '原工单编号前加此前缀，避免与本系统编号重复；没有原编号的行按“前缀+任务号-行号”编号。',
    statusTable: '状态对照',
    statusHint: '常见说法已内置（已办结/办结/已归档→已办结，办理中/处理中→处置中，不予受理/已撤销→不予受理，已答复→已答复…）。原系统的其他说法在此补充或改写。',
    word: '原系统的说法',
    status: '对应状态',
    addWord: '添加',
    seen: '样例中的状态：',
    region: '导入范围（可选）',
    regionHint: '只允许落在该区域内的工单；不选则为您的全部管辖范围。',
    preview: '预览（前 5 行，按列对应）',
    sample: '文件样例',
    start: '开始导入',
    job: '导入任务 #{id}',
    phase: '阶段',
    progress: '进度',
    fileName: '文件',
    finished: '完成时间',
    succeeded: '已导入 {n} 条历史工单',
    failed: '有 {n} 处错误，未导入任何工单。请修改文件后重新导入。',
    line: '行',
    column: '列',
    reason: '原因',
    byStatus: '按状态',
    queued: '排队中',
    validating: '校验中',
    importing: '写入中',
    succeededTag: '成功',
    failedTag: '失败',
  },
  en: {
    title: 'Case history import',
    intro: 'Import past cases exported from the previous hotline system as CSV or XLSX. Every row is checked first; if any is wrong, nothing is imported. Imported cases count in every figure like native ones; times the old system did not record stay empty.',
    file: 'File',
    choose: 'Click or drop a CSV / XLSX file (first row: headers)',
    reading: 'Reading the headers…',
    noHeaders: 'No header row found',
    mapping: 'Columns',
    mappingHint: 'Matched from common headers (受理时间, 办结时间, 诉求类别, 承办单位, 地址, 经度, 纬度, 状态, 满意度…); adjust as needed.',
    target: 'Field',
    source: 'Column in the file',
    notMapped: 'Not imported',
    required: 'required',
    placeNeeded: 'Map an address or longitude + latitude: they place each case in its grid.',
    missing: 'Required fields not mapped: ',
    options: 'Options',
    prefix: 'Number prefix',
    prefixHint: 'Put before the old case numbers so they never meet this system’s; rows without a number get prefix + job-line.',
    statusTable: 'Status words',
    statusHint: 'Common words are built in (已办结/办结/已归档 → closed, 办理中/处理中 → in progress, 不予受理/已撤销 → declined, 已答复 → replied…). Add or override the old system’s other words here.',
    word: 'Old system’s word',
    status: 'Status',
    addWord: 'Add',
    seen: 'Statuses in the sample: ',
    region: 'Area (optional)',
    regionHint: 'Only cases inside this area are accepted; by default your whole area.',
    preview: 'Preview (first 5 rows, as mapped)',
    sample: 'Sample of the file',
    start: 'Start import',
    job: 'Import job #{id}',
    phase: 'Phase',
    progress: 'Progress',
    fileName: 'File',
    finished: 'Finished',
    succeeded: '{n} past cases imported',
    failed: '{n} problems found; nothing was imported. Correct the file and import it again.',
    line: 'Line',
    column: 'Column',
    reason: 'Reason',
    byStatus: 'By status',
    queued: 'Queued',
    validating: 'Checking',
    importing: 'Writing',
    succeededTag: 'Succeeded',
    failedTag: 'Failed',
  },
};

const STATUS_LABELS: Record<'zh' | 'en', Record<string, string>> = {
  zh: { submitted: '待受理', dispatched: '已派单', in_progress: '处置中', summoned: '已吹哨', replied: '已答复', called_back: '已回访', rated: '已评价', closed: '已办结', declined: '不予受理', merged: '已合并' },
  en: { submitted: 'Submitted', dispatched: 'Dispatched', in_progress: 'In progress', summoned: 'Summoned', replied: 'Replied', called_back: 'Called back', rated: 'Rated', closed: 'Closed', declined: 'Declined', merged: 'Merged' },
};

const JOB_COLOR: Record<ImportStatus, string> = { queued: 'default', validating: 'processing', importing: 'processing', succeeded: 'success', failed: 'error' };

const norm = (s: string) => s.toLowerCase().replace(/[\s_\-()（）*]/g, '');

/** Column guesses: the field's name, either half of its label, then its aliases (the server's own list). */
export function guessMapping(fields: Field[], headers: string[]): Record<string, string | undefined> {
  const byNorm = new Map(headers.map((h) => [norm(h), h] as const));
  const used = new Set<string>();
  const mapping: Record<string, string | undefined> = {};
  for (const field of fields) {
    const candidates = [field.name, ...field.label.split('/').map((part) => part.trim()), ...(field.aliases ?? [])];
    const hit = candidates.map((c) => byNorm.get(norm(c))).find((h) => h !== undefined && !used.has(h));
    if (hit) used.add(hit);
    mapping[field.name] = hit;
  }
  return mapping;
}

const fill = (text: string, vars: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));

export default function HistoryImportPage() {
  const { lang } = useI18n();
  const L = TEXT[lang === 'en' ? 'en' : 'zh'];
  const statusLabels = STATUS_LABELS[lang === 'en' ? 'en' : 'zh'];
  const kinds = useAsync(() => api.importKinds(), []);
  const fields = useMemo(() => (asArray(kinds.data).find((k) => k.kind === 'case_history')?.fields ?? []) as Field[], [kinds.data]);
  const [file, setFile] = useState<File | null>(null);
  const [headers, setHeaders] = useState<string[]>([]);
  const [sampleRows, setSampleRows] = useState<string[][]>([]);
  const [reading, setReading] = useState(false);
  const [mapping, setMapping] = useState<Record<string, string | undefined>>({});
  const [prefix, setPrefix] = useState('LS-');
  const [words, setWords] = useState<Array<{ word: string; status?: string }>>([]);
  const [regionId, setRegionId] = useState<string | undefined>();
  const [submitting, setSubmitting] = useState(false);
  const [jobId, setJobId] = useState<Id | null>(null);

  // The header and five sample rows, read by the server (CSV in UTF-8 or GBK, XLSX date cells).
  useEffect(() => {
    setHeaders([]);
    setSampleRows([]);
    if (!file || fields.length === 0) return;
    let cancelled = false;
    setReading(true);
    const form = new FormData();
    form.append('kind', 'case_history');
    form.append('file', file, file.name);
    api
      .importPreview(form)
      .then((res) => {
        if (cancelled) return;
        setHeaders(res.headers);
        setSampleRows(res.sampleRows ?? []);
        setMapping(guessMapping(fields, res.headers));
      })
      .catch((err) => !cancelled && toastError(err))
      .finally(() => !cancelled && setReading(false));
    return () => {
      cancelled = true;
    };
  }, [file, fields]);

  // Follow the job until it ends.
  const job = useImportJob<HistoryJob>(jobId, (j) => {
    if (j.status === 'succeeded') toastSuccess(fill(L.succeeded, { n: Number(j.summary?.inserted ?? j.total) }));
  });

  const missing = fields.filter((f) => f.required && !mapping[f.name]);
  const placed = Boolean(mapping.address) || (Boolean(mapping.lng) && Boolean(mapping.lat));
  const statusColumn = mapping.status ? headers.indexOf(mapping.status) : -1;
  const seenStatuses = statusColumn >= 0 ? [...new Set(sampleRows.map((r) => (r[statusColumn] ?? '').trim()).filter(Boolean))] : [];
  const mappedFields = fields.filter((f) => mapping[f.name]);
  const previewRows = sampleRows.map((r, i) => ({ key: i, ...Object.fromEntries(mappedFields.map((f) => [f.name, r[headers.indexOf(mapping[f.name]!)] ?? ''])) }));
  const canStart = Boolean(file) && headers.length > 0 && missing.length === 0 && placed && !reading && words.every((w) => !w.word.trim() || w.status);

  const submit = async () => {
    if (!file) return;
    setSubmitting(true);
    try {
      const form = new FormData();
      form.append('kind', 'case_history');
      const chosen: Record<string, string> = {};
      for (const [name, column] of Object.entries(mapping)) if (column) chosen[name] = column;
      form.append('mapping', JSON.stringify(chosen));
      const statusMap: Record<string, string> = {};
      for (const { word, status } of words) if (word.trim() && status) statusMap[word.trim()] = status;
      form.append('options', JSON.stringify({ numberPrefix: prefix, ...(Object.keys(statusMap).length ? { statusMap } : {}) }));
      if (regionId) form.append('regionId', regionId);
      form.append('file', file, file.name); // last, so the fields are read first
      const res = await api.importStart(form);
      setJobId(res.id);
    } catch (err) {
      toastError(err);
    } finally {
      setSubmitting(false);
    }
  };

  if (isForbidden(kinds.error)) return <Forbidden error={kinds.error} />;
  const fieldLabel = (f: Field) => (lang === 'en' ? (f.label.split('/')[1] ?? f.label).trim() : f.label.split('/')[0].trim());

  return (
    <div data-testid="history-import-page">
      <Row gutter={16}>
        <Col xs={24} xl={14}>
          <Card title={L.title} style={{ marginBottom: 16 }}>
            <Typography.Paragraph type="secondary">{L.intro}</Typography.Paragraph>
            <Form layout="vertical">
              <Form.Item label={L.file} required>
                <Upload.Dragger
                  multiple={false}
                  maxCount={1}
                  accept=".csv,.xlsx,.txt"
                  beforeUpload={(f) => {
                    setFile(f);
                    setJobId(null);
                    return false;
                  }}
                  onRemove={() => setFile(null)}
                  fileList={file ? [{ uid: 'f', name: file.name, status: 'done' }] : []}
                  data-testid="history-file"
                >
                  <p className="ant-upload-drag-icon">
                    <InboxOutlined />
                  </p>
                  <p className="ant-upload-text">{L.choose}</p>
                </Upload.Dragger>
              </Form.Item>
              {file && (
                <Form.Item label={L.mapping} extra={L.mappingHint}>
                  {reading ? (
                    <Typography.Text type="secondary">{L.reading}</Typography.Text>
                  ) : headers.length === 0 ? (
                    <Alert type="warning" showIcon title={L.noHeaders} />
                  ) : (
                    <Table<Field>
                      size="small"
                      pagination={false}
                      rowKey="name"
                      dataSource={fields}
                      data-testid="history-mapping"
                      columns={[
                        {
                          title: L.target,
                          key: 'field',
                          render: (_, f) => (
                            <span>
                              {fieldLabel(f)}{' '}
                              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                                {f.name}
                              </Typography.Text>
                              {f.required && (
                                <Tag color="red" style={{ marginLeft: 6 }}>
                                  {L.required}
                                </Tag>
                              )}
                            </span>
                          ),
                        },
                        {
                          title: L.source,
                          key: 'column',
                          width: 240,
                          render: (_, f) => (
                            <Select
                              allowClear
                              style={{ width: '100%' }}
                              placeholder={L.notMapped}
                              value={mapping[f.name]}
                              status={f.required && !mapping[f.name] ? 'error' : undefined}
                              onChange={(v) => setMapping((m) => ({ ...m, [f.name]: v }))}
                              options={headers.map((h) => ({ value: h, label: h }))}
                              data-testid={`history-mapping-${f.name}`}
                            />
                          ),
                        },
                      ]}
                    />
                  )}
                </Form.Item>
              )}
              {headers.length > 0 && missing.length > 0 && (
                <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={`${L.missing}${missing.map(fieldLabel).join('、')}`} />
              )}
              {headers.length > 0 && !placed && <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={L.placeNeeded} />}
              {headers.length > 0 && (
                <Card size="small" title={L.options} style={{ marginBottom: 16 }}>
                  <Form.Item label={L.prefix} extra={L.prefixHint}>
                    <Input value={prefix} maxLength={20} onChange={(e) => setPrefix(e.target.value.replace(/[^A-Za-z0-9_\-\u4e00-\u9fff]/g, ''))} style={{ maxWidth: 200 }} data-testid="history-prefix" />
                  </Form.Item>
                  <Form.Item label={L.statusTable} extra={L.statusHint}>
                    <Space orientation="vertical" style={{ width: '100%' }}>
                      {seenStatuses.length > 0 && (
                        <Typography.Text type="secondary">
                          {L.seen}
                          {seenStatuses.map((s) => (
                            <Tag key={s}>{s}</Tag>
                          ))}
                        </Typography.Text>
                      )}
                      {words.map((w, i) => (
                        <Space key={i}>
                          <Input placeholder={L.word} value={w.word} maxLength={50} onChange={(e) => setWords((all) => all.map((x, k) => (k === i ? { ...x, word: e.target.value } : x)))} style={{ width: 180 }} />
                          <Select
                            placeholder={L.status}
                            value={w.status}
                            onChange={(v) => setWords((all) => all.map((x, k) => (k === i ? { ...x, status: v } : x)))}
                            options={STATUSES.map((s) => ({ value: s, label: statusLabels[s] }))}
                            style={{ width: 160 }}
                          />
                          <Button icon={<DeleteOutlined />} onClick={() => setWords((all) => all.filter((_, k) => k !== i))} />
                        </Space>
                      ))}
                      <Button icon={<PlusOutlined />} onClick={() => setWords((all) => [...all, { word: '' }])} data-testid="history-add-word">
                        {L.addWord}
                      </Button>
                    </Space>
                  </Form.Item>
                  <Form.Item label={L.region} extra={L.regionHint} style={{ marginBottom: 0 }}>
                    <RegionTreeSelect value={regionId} onChange={(v) => setRegionId(v)} style={{ maxWidth: 420, width: '100%' }} maxLevel="grid" />
                  </Form.Item>
                </Card>
              )}
              <Button type="primary" icon={<UploadOutlined />} disabled={!canStart} loading={submitting} onClick={() => void submit()} data-testid="history-submit">
                {L.start}
              </Button>
            </Form>
          </Card>
          {previewRows.length > 0 && mappedFields.length > 0 && (
            <Card title={L.preview} size="small" style={{ marginBottom: 16 }}>
              <Table
                size="small"
                pagination={false}
                scroll={{ x: 'max-content' }}
                dataSource={previewRows}
                columns={mappedFields.map((f) => ({ title: fieldLabel(f), dataIndex: f.name, key: f.name }))}
                data-testid="history-preview"
              />
            </Card>
          )}
          <SampleRowsCard title={L.sample} headers={headers} rows={sampleRows} />
        </Col>
        <Col xs={24} xl={10}>
          {jobId != null && (
            <Card title={fill(L.job, { id: String(jobId) })} data-testid="history-job">
              {!job ? <Progress percent={0} status="active" /> : <JobView job={job} L={L} statusLabels={statusLabels} />}
            </Card>
          )}
        </Col>
      </Row>
    </div>
  );
}

function JobView({ job, L, statusLabels }: { job: HistoryJob; L: (typeof TEXT)['zh']; statusLabels: Record<string, string> }) {
  const errors: ImportError[] = job.errors ?? [];
  const percent = job.status === 'succeeded' ? 100 : job.total > 0 ? Math.min(99, Math.floor(((job.processed ?? 0) / job.total) * 100)) : 0;
  const phase = { queued: L.queued, validating: L.validating, importing: L.importing, succeeded: L.succeededTag, failed: L.failedTag }[job.status];
  const byStatus = (job.summary?.byStatus ?? null) as Record<string, number> | null;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" column={2}>
        <Descriptions.Item label={L.fileName}>{job.fileName ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={L.phase}>
          <Tag color={JOB_COLOR[job.status]} data-testid="history-status" data-status={job.status}>
            {phase}
          </Tag>
        </Descriptions.Item>
        <Descriptions.Item label={L.progress}>
          {job.processed ?? 0} / {job.total ?? 0}
        </Descriptions.Item>
        <Descriptions.Item label={L.finished}>{formatTime(job.finishedAt)}</Descriptions.Item>
      </Descriptions>
      <Progress data-testid="history-progress" percent={percent} status={job.status === 'failed' ? 'exception' : job.status === 'succeeded' ? 'success' : 'active'} />
      {job.status === 'succeeded' && (
        <Alert
          type="success"
          showIcon
          title={fill(L.succeeded, { n: Number(job.summary?.inserted ?? job.total) })}
          description={
            byStatus ? (
              <span>
                {L.byStatus}：
                {Object.entries(byStatus).map(([status, n]) => (
                  <Tag key={status}>
                    {statusLabels[status] ?? status} {n}
                  </Tag>
                ))}
              </span>
            ) : undefined
          }
        />
      )}
      {job.status === 'failed' && (
        <>
          <Alert type="error" showIcon title={fill(L.failed, { n: Number(job.summary?.errorCount ?? errors.length) })} data-testid="history-failed" />
          <ImportErrorTable errors={errors} testId="history-errors" labels={{ line: L.line, column: L.column, reason: L.reason }} />
        </>
      )}
    </Space>
  );
}

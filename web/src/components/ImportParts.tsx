import type React from 'react';
import { useEffect, useRef, useState } from 'react';
import { Card, Table } from 'antd';
import { api, type Id, type ImportError, type ImportJob } from '../api.ts';
import { toastError } from '../common.tsx';

/**
 * Follows an import job every 500 ms until it has succeeded or failed (both import pages); `onEnd` runs once
 * with the finished job. A new `jobId` starts over; null shows none.
 */
export function useImportJob<J extends ImportJob = ImportJob>(jobId: Id | null, onEnd?: (job: J) => void): J | null {
  const [job, setJob] = useState<J | null>(null);
  const ended = useRef(onEnd);
  ended.current = onEnd;
  useEffect(() => {
    setJob(null);
    if (jobId == null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const j = (await api.importJob(jobId)) as J;
        if (stopped) return;
        setJob(j);
        if (j.status === 'succeeded' || j.status === 'failed') {
          ended.current?.(j);
          return;
        }
      } catch (err) {
        if (!stopped) toastError(err);
        return;
      }
      timer = setTimeout(tick, 500);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [jobId]);
  return job;
}

/** The first rows of an uploaded file as read, under its own headers (both import pages). */
export function SampleRowsCard({ title, headers, rows }: { title: string; headers: string[]; rows: string[][] }) {
  if (rows.length === 0 || headers.length === 0) return null;
  return (
    <Card title={title} size="small" style={{ marginBottom: 16 }}>
      <Table
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        rowKey={(_, i) => String(i)}
        dataSource={rows.map((r) => Object.fromEntries(headers.map((h, i) => [h, r[i] ?? ''])))}
        columns={headers.map((h) => ({ title: h, dataIndex: h, key: h }))}
      />
    </Card>
  );
}

/** A failed import's errors by line and column; long lists scroll, very long ones page. */
export function ImportErrorTable({ errors, labels, testId }: { errors: ImportError[]; labels: { line: string; column: string; reason: string }; testId: string }) {
  return (
    <Table<ImportError>
      size="small"
      data-testid={testId}
      rowKey={(r, i) => `${r.line}-${r.column ?? ''}-${i}`}
      dataSource={errors}
      onRow={() => ({ 'data-testid': 'import-error-row' }) as React.HTMLAttributes<HTMLElement>}
      pagination={errors.length > 200 ? { pageSize: 100, size: 'small', showSizeChanger: false } : false}
      scroll={errors.length > 12 ? { y: 420 } : undefined}
      columns={[
        { title: labels.line, dataIndex: 'line', width: 70 },
        { title: labels.column, dataIndex: 'column', width: 120, render: (v?: string | null) => v ?? '—' },
        { title: labels.reason, dataIndex: 'reason' },
      ]}
    />
  );
}

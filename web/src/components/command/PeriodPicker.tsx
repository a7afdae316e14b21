// One month, or a range of months (at most 60, as the API allows).
import { useState } from 'react';
import { DatePicker, Segmented, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCommandI18n } from './messages.ts';
import { addMonths, currentMonth, monthsBetween } from './period.ts';

const fmt = (d: Dayjs) => d.format('YYYY-MM');

export function PeriodPicker({ from, to, onChange }: { from: string; to: string; onChange: (from: string, to: string) => void }) {
  const { t } = useCommandI18n();
  const [mode, setMode] = useState<'month' | 'range'>(from === to ? 'month' : 'range');
  const latest = dayjs(`${currentMonth()}-01`);
  const future = (d: Dayjs) => d.isAfter(latest, 'month');
  return (
    <Space size={8} data-testid="period-picker">
      <Segmented
        size="small"
        value={mode}
        onChange={(v) => {
          setMode(v as 'month' | 'range');
          if (v === 'month') onChange(to, to);
          else if (from === to) onChange(addMonths(to, -2), to);
        }}
        options={[
          { value: 'month', label: t('periodMonth') },
          { value: 'range', label: t('periodRange') },
        ]}
      />
      {mode === 'month' ? (
        <DatePicker
          data-testid="period-month"
          size="small"
          picker="month"
          allowClear={false}
          disabledDate={future}
          value={dayjs(`${to}-01`)}
          onChange={(d) => d && onChange(fmt(d), fmt(d))}
        />
      ) : (
        <DatePicker.RangePicker
          data-testid="period-range"
          size="small"
          picker="month"
          allowClear={false}
          disabledDate={(d) => future(d)}
          value={[dayjs(`${from}-01`), dayjs(`${to}-01`)]}
          onChange={(range) => {
            if (!range?.[0] || !range[1]) return;
            let start = fmt(range[0]);
            const end = fmt(range[1]);
            if (monthsBetween(start, end) > 60) start = addMonths(end, -59);
            onChange(start, end);
          }}
        />
      )}
    </Space>
  );
}

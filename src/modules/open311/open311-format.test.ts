import { describe, expect, it } from 'vitest';
import { escapeXml, maskPhonesInText, parseW3cDateTime, splitFormat, toXml, w3cDateTime } from './open311-format.ts';

describe('Open311 formats', () => {
  it('writes date-times in China Standard Time with the offset', () => {
    expect(w3cDateTime(new Date('2026-11-25T08:47:38.123Z'))).toBe('2026-11-25T16:47:38+08:00');
    expect(w3cDateTime(new Date('2026-12-31T20:00:00Z'))).toBe('2027-01-01T04:00:00+08:00');
    expect(w3cDateTime(null)).toBeNull();
  });

  it('reads W3C dates and date-times; no zone means city time; impossible values are null', () => {
    expect(parseW3cDateTime('2010-01-01T00:00:00Z')?.toISOString()).toBe('2010-01-01T00:00:00.000Z');
    expect(parseW3cDateTime('2010-01-01T08:00:00+08:00')?.toISOString()).toBe('2010-01-01T00:00:00.000Z');
    expect(parseW3cDateTime('1994-11-05T08:15:30-05:00')?.toISOString()).toBe('1994-11-05T13:15:30.000Z');
    expect(parseW3cDateTime('2010-01-01')?.toISOString()).toBe('2009-12-31T16:00:00.000Z');
    expect(parseW3cDateTime('2010-01-01T12:30')?.toISOString()).toBe('2010-01-01T04:30:00.000Z');
    for (const bad of ['2024-02-30', '2024-13-01', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00+15:00', 'yesterday', '', '0000-01-01', '2024-1-1']) {
      expect(parseW3cDateTime(bad), bad).toBeNull();
    }
  });

  it('escapes text and replaces characters XML cannot carry', () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('a\u0000b\u0001c\uD800d\uFFFEe\tf\n😀')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\tf\n😀');
    expect(toXml('services', [{ service_code: 'a', metadata: false, keywords: null }, { service_code: 'b&c', attributes: [] }])).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<services><service><service_code>a</service_code><metadata>false</metadata><keywords/></service><service><service_code>b&amp;c</service_code><attributes/></service></services>',
    );
  });

  it('splits a format suffix off a path segment', () => {
    expect(splitFormat('20261125-000001.xml')).toEqual({ value: '20261125-000001', format: 'xml' });
    expect(splitFormat('noise.JSON')).toEqual({ value: 'noise', format: 'json' });
    expect(splitFormat('noise')).toEqual({ value: 'noise', format: 'json' });
    expect(splitFormat('noise.html')).toBeNull();
  });

  it('masks mainland mobile numbers written into free text', () => {
    expect(maskPhonesInText('请打 13987654321 或 139-1234-5678 或 139 1234 5678，座机 0851-28221234')).toBe('请打 139****4321 或 139****5678 或 139****5678，座机 0851-28221234');
    expect(maskPhonesInText('编号 213987654321')).toBe('编号 213987654321');
  });
});

// Which node the figures are for: a breadcrumb from the user's own place down the region tree (city →
// district → street → community → grid), a list of the level below, and the departments.
import { useEffect, useState } from 'react';
import { Breadcrumb, Select, Space, Tag } from 'antd';
import { HomeOutlined } from '@ant-design/icons';
import { intakeApi } from '../../api.ts';
import type { MetricNodeInfo, RankingItem } from './metricsApi.ts';
import { useCommandI18n } from './messages.ts';

interface Crumb {
  ref: string;
  name: string;
  level: string;
}

/** From the user's own place down to `node`: ancestors come from the region API, cut at the home node. */
function useTrail(node: MetricNodeInfo | undefined, home: MetricNodeInfo | null): Crumb[] {
  const [trail, setTrail] = useState<Crumb[]>([]);
  useEffect(() => {
    if (!node) return;
    const self: Crumb = { ref: node.ref, name: node.name, level: node.level };
    const base = home && home.ref !== node.ref ? [{ ref: home.ref, name: home.name, level: home.level }, self] : [self];
    setTrail(base);
    if (!home || home.ref === node.ref || node.kind !== 'region' || home.kind !== 'region') return;
    let cancelled = false;
    intakeApi
      .region(node.id)
      .then((detail) => {
        if (cancelled) return;
        const at = detail.ancestors.findIndex((a) => Number(a.id) === home.id);
        if (at < 0) return; // not below the home node (another role's area): home, then here
        const between = detail.ancestors.slice(at + 1).map((a) => ({ ref: `region:${a.id}`, name: a.name, level: a.level }));
        setTrail([{ ref: home.ref, name: home.name, level: home.level }, ...between, self]);
      })
      .catch(() => undefined); // roles without the region tree (organisation officers) keep home → here
    return () => {
      cancelled = true;
    };
  }, [node, home]);
  return trail;
}

export function NodePicker({
  node,
  home,
  children,
  departments,
  onSelect,
  dark = false,
}: {
  node: MetricNodeInfo | undefined;
  home: MetricNodeInfo | null;
  children: RankingItem[];
  departments: RankingItem[];
  onSelect: (ref: string | undefined) => void;
  dark?: boolean;
}) {
  const { t, level } = useCommandI18n();
  const trail = useTrail(node, home);
  const childLevel = children[0]?.node.level;
  return (
    <Space size={8} wrap className="cmd-node-picker" data-testid="node-picker">
      <Breadcrumb
        data-testid="node-breadcrumb"
        items={trail.map((crumb, i) => {
          const last = i === trail.length - 1;
          const label = (
            <span data-testid="node-crumb" data-ref={crumb.ref} className={dark ? 'cmd-dark-text' : undefined}>
              {i === 0 && home?.ref === crumb.ref && <HomeOutlined style={{ marginRight: 4 }} />}
              {crumb.name}
              <Tag bordered={false} style={{ marginLeft: 4, marginRight: 0, fontSize: 11, lineHeight: '16px', padding: '0 4px' }}>
                {level(crumb.level)}
              </Tag>
            </span>
          );
          return {
            key: crumb.ref,
            title: last ? (
              <b data-testid="command-node" data-ref={crumb.ref}>
                {label}
              </b>
            ) : (
              <a onClick={() => onSelect(home?.ref === crumb.ref ? undefined : crumb.ref)}>{label}</a>
            ),
          };
        })}
      />
      {children.length > 0 && (
        <Select
          data-testid="node-children"
          size="small"
          style={{ minWidth: 160 }}
          placeholder={`${t('enterChild')}${childLevel ? level(childLevel) : ''}`}
          value={null}
          showSearch
          optionFilterProp="label"
          popupMatchSelectWidth={false}
          onChange={(ref: string) => onSelect(ref)}
          options={children.map((c) => ({ value: c.node.ref, label: c.node.name }))}
        />
      )}
      {departments.length > 0 && (
        <Select
          data-testid="node-departments"
          size="small"
          style={{ minWidth: 160 }}
          placeholder={t('chooseDepartment')}
          value={node?.kind === 'department' ? node.ref : null}
          showSearch
          optionFilterProp="label"
          popupMatchSelectWidth={false}
          onChange={(ref: string) => onSelect(ref)}
          options={departments.map((c) => ({ value: c.node.ref, label: c.node.name }))}
        />
      )}
    </Space>
  );
}

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Button, Empty, Spin, Tag, Tree, Typography, type TreeDataNode } from 'antd';
import { AimOutlined, ReloadOutlined } from '@ant-design/icons';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useLeafletMap } from '../components/useOptionalTiles.ts';
import { api, isForbidden, type FeatureCollection, type GridFeatureProps, type Id, type LngLat, type RegionNode } from '../api.ts';
import { Forbidden, toastError } from '../common.tsx';
import { GridPanel } from '../components/GridPanel.tsx';
import { useI18n } from '../i18n.ts';

const LABEL_ZOOM = 15;
const GRID_STYLE: L.PathOptions = { className: 'cg-grid', color: '#1677ff', weight: 1.5, fillColor: '#69b1ff', fillOpacity: 0.18 };
const GRID_SELECTED: L.PathOptions = { color: '#d4380d', weight: 3, fillColor: '#ff7a45', fillOpacity: 0.3 };

interface RNode extends TreeDataNode {
  key: string;
  region: RegionNode;
  children?: RNode[];
}

function insertChildren(list: RNode[], key: string, children: RNode[]): RNode[] {
  return list.map((n) => {
    if (n.key === key) return { ...n, children };
    if (n.children) return { ...n, children: insertChildren(n.children, key, children) };
    return n;
  });
}

export default function MapPage() {
  const { t, e } = useI18n();
  const mapDiv = useRef<HTMLDivElement | null>(null);
  const wrapRef = useRef<HTMLDivElement | null>(null);
  const gridLayerRef = useRef<L.GeoJSON | null>(null);
  const buildingLayerRef = useRef<L.LayerGroup | null>(null);
  const layerById = useRef(new Map<string, L.Path>());

  const [treeData, setTreeData] = useState<RNode[]>([]);
  const [treeLoading, setTreeLoading] = useState(true);
  const [forbidden, setForbidden] = useState<unknown>(null);
  const [scope, setScope] = useState<RegionNode | null>(null);
  const [grids, setGrids] = useState<FeatureCollection<GridFeatureProps> | null>(null);
  const [gridsLoading, setGridsLoading] = useState(false);
  const [gridsTick, setGridsTick] = useState(0);
  const [gridId, setGridId] = useState<string | null>(null);
  const [buildingId, setBuildingId] = useState<string | null>(null);
  const [buildingPoints, setBuildingPoints] = useState<{ id: Id; name: string; point: LngLat | null }[]>([]);
  const [selectedKeys, setSelectedKeys] = useState<string[]>([]);

  // ---- map init (with the optional tiles) ----
  const { mapRef } = useLeafletMap(mapDiv, { center: [35, 105], zoom: 4, zoomControl: true, preferCanvas: false }, (map) => {
    buildingLayerRef.current = L.layerGroup().addTo(map);
    const updateLabels = () => {
      const permanent = map.getZoom() >= LABEL_ZOOM;
      gridLayerRef.current?.eachLayer((layer) => {
        const tip = layer.getTooltip();
        if (!tip) return;
        if (tip.options.permanent === permanent) return;
        const content = tip.getContent();
        layer.unbindTooltip();
        layer.bindTooltip(content as string, { permanent, direction: 'center', className: 'cg-grid-label', sticky: !permanent });
      });
    };
    map.on('zoomend', updateLabels);
  });

  // ---- region tree roots ----
  useEffect(() => {
    setTreeLoading(true);
    api
      .regionRoots()
      .then((res) => setTreeData(res.items.map((r) => toTreeNode(r))))
      .catch((err) => {
        if (isForbidden(err)) setForbidden(err);
        else toastError(err);
      })
      .finally(() => setTreeLoading(false));
  }, []);

  const toTreeNode = (r: RegionNode): RNode => ({
    key: String(r.id),
    region: r,
    isLeaf: !r.hasChildren,
    title: r.name,
  });

  const loadTreeData = async (node: RNode) => {
    if (node.children) return;
    try {
      const res = await api.regionChildren(node.key);
      const children: RNode[] = res.items.map(toTreeNode);
      if (res.total > res.items.length) {
        children.push({
          key: `${node.key}:more`,
          title: `… +${res.total - res.items.length}`,
          isLeaf: true,
          disabled: true,
          selectable: false,
          region: node.region,
        });
      }
      setTreeData((prev) => insertChildren(prev, node.key, children));
    } catch (err) {
      toastError(err);
      setTreeData((prev) => insertChildren(prev, node.key, []));
    }
  };

  // ---- grids ----
  useEffect(() => {
    let cancelled = false;
    setGridsLoading(true);
    api
      .mapGrids(scope?.id)
      .then((fc) => {
        if (!cancelled) setGrids(fc);
      })
      .catch((err) => {
        if (cancelled) return;
        if (isForbidden(err)) setForbidden(err);
        else toastError(err);
        setGrids({ type: 'FeatureCollection', features: [] });
      })
      .finally(() => {
        if (!cancelled) setGridsLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [scope, gridsTick]);

  const openGrid = useCallback((id: string, bId: string | null = null) => {
    setGridId(id);
    setBuildingId(bId);
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !grids) return;
    gridLayerRef.current?.remove();
    layerById.current.clear();
    const permanent = map.getZoom() >= LABEL_ZOOM;
    const layer = L.geoJSON(grids as unknown as Parameters<typeof L.geoJSON>[0], {
      style: () => ({ ...GRID_STYLE }),
      onEachFeature: (feature, lyr) => {
        const props = feature.properties as GridFeatureProps;
        const id = String(props?.id ?? feature.id);
        layerById.current.set(id, lyr as L.Path);
        lyr.bindTooltip(props?.name ?? id, { permanent, direction: 'center', className: 'cg-grid-label', sticky: !permanent });
        lyr.on('click', () => openGrid(id));
        // Leaflet 1.9 closes even permanent tooltips when the clicked path loses focus; reopen labels.
        lyr.on('tooltipclose', () => {
          setTimeout(() => {
            const tip = lyr.getTooltip();
            if (tip?.options.permanent && lyr.isTooltipOpen && !lyr.isTooltipOpen() && mapRef.current?.hasLayer(lyr)) lyr.openTooltip();
          }, 0);
        });
        lyr.on('add', () => {
          const el = (lyr as L.Path).getElement?.();
          if (el) {
            el.setAttribute('data-grid-id', id);
            el.setAttribute('data-testid', 'grid-polygon');
          }
        });
      },
    });
    layer.addTo(map);
    gridLayerRef.current = layer;
    const b = layer.getBounds();
    if (b.isValid()) map.fitBounds(b, { padding: [24, 24], maxZoom: 17 });
    else if (scope?.centroid) map.setView([scope.centroid[1], scope.centroid[0]], 14);
  }, [grids, openGrid, scope]);

  // highlight selected grid
  useEffect(() => {
    for (const [id, lyr] of layerById.current) {
      lyr.setStyle(id === gridId ? { ...GRID_STYLE, ...GRID_SELECTED } : { ...GRID_STYLE });
      if (id === gridId) lyr.bringToFront();
    }
  }, [gridId, grids]);

  // building markers for the open grid
  useEffect(() => {
    const group = buildingLayerRef.current;
    if (!group) return;
    group.clearLayers();
    if (!gridId) return;
    for (const b of buildingPoints) {
      if (!b.point) continue;
      const selected = String(b.id) === buildingId;
      L.circleMarker([b.point[1], b.point[0]], {
        className: 'cg-building',
        radius: selected ? 8 : 5,
        color: selected ? '#d4380d' : '#0958d9',
        weight: 2,
        fillColor: '#fff',
        fillOpacity: 1,
      })
        .bindTooltip(b.name)
        .on('click', () => setBuildingId(String(b.id)))
        .addTo(group);
    }
  }, [buildingPoints, gridId, buildingId]);

  const zoomToGrid = (id: string) => {
    const lyr = layerById.current.get(id) as (L.Path & { getBounds?: () => L.LatLngBounds }) | undefined;
    const b = lyr?.getBounds?.();
    if (b && b.isValid()) mapRef.current?.fitBounds(b, { padding: [40, 40], maxZoom: 18 });
  };

  const onTreeSelect = async (keys: React.Key[], info: { node: RNode }) => {
    const r = info.node.region;
    setSelectedKeys(keys.map(String));
    if (!keys.length) return;
    if (r.level === 'grid') {
      openGrid(String(r.id));
      zoomToGrid(String(r.id));
    } else if (r.level === 'building') {
      try {
        const b = await api.building(r.id);
        openGrid(String(b.grid.id), String(r.id));
        zoomToGrid(String(b.grid.id));
      } catch (err) {
        toastError(err);
      }
    } else {
      setScope(r);
      setGridId(null);
    }
  };

  const gridCount = grids?.features.length ?? 0;
  const titleRender = useMemo(
    () => (n: RNode) => (
      <span data-testid="region-node" data-level={n.region.level}>
        {n.title as string}
        {!String(n.key).endsWith(':more') && (
          <Tag style={{ marginLeft: 6, fontSize: 11, lineHeight: '16px', padding: '0 4px' }} bordered={false}>
            {e('level', n.region.level)}
          </Tag>
        )}
      </span>
    ),
    [e],
  );

  if (forbidden) return <Forbidden error={forbidden} />;

  return (
    <div className="cg-map-wrap" ref={wrapRef}>
      <div className="cg-map-tree" data-testid="region-tree">
        <Typography.Text strong>{t('regionTree')}</Typography.Text>
        <div style={{ marginTop: 8 }}>
          {treeLoading ? (
            <Spin size="small" />
          ) : treeData.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
          ) : (
            <Tree<RNode>
              showLine
              blockNode
              treeData={treeData}
              loadData={loadTreeData}
              selectedKeys={selectedKeys}
              onSelect={(keys, info) => void onTreeSelect(keys, info)}
              titleRender={titleRender}
            />
          )}
        </div>
      </div>
      <div className="cg-map-main">
        <div className="cg-map-bar">
          <span>
            <span data-testid="grid-count" data-count={gridCount}>
              {t('gridsLoaded', { n: gridCount })}
            </span>
            {scope && (
              <Tag closable onClose={() => setScope(null)} color="blue" style={{ marginLeft: 8 }}>
                {scope.name}
              </Tag>
            )}
            {gridsLoading && <Spin size="small" style={{ marginLeft: 8 }} />}
          </span>
          <span>
            {scope && (
              <Button size="small" icon={<AimOutlined />} onClick={() => setScope(null)} style={{ marginRight: 8 }}>
                {t('showAllGrids')}
              </Button>
            )}
            <Button size="small" icon={<ReloadOutlined />} onClick={() => setGridsTick((x) => x + 1)}>
              {t('refresh')}
            </Button>
          </span>
        </div>
        <div style={{ position: 'relative', flex: 1, display: 'flex' }}>
          <div ref={mapDiv} className="cg-map" data-testid="grid-map" style={{ flex: 1 }} />
          {grids && gridCount === 0 && !gridsLoading && (
            <div style={{ position: 'absolute', top: 12, left: '50%', transform: 'translateX(-50%)', zIndex: 500, background: '#fff', padding: '4px 12px', borderRadius: 4, boxShadow: '0 1px 4px rgba(0,0,0,.1)', color: '#888' }}>
              {t('noGrids')}
            </div>
          )}
        </div>
      </div>
      <GridPanel
        container={wrapRef}
        gridId={gridId}
        buildingId={buildingId}
        onSelectBuilding={setBuildingId}
        onBuildings={setBuildingPoints}
        onClose={() => {
          setGridId(null);
          setBuildingId(null);
          setBuildingPoints([]);
        }}
      />
    </div>
  );
}

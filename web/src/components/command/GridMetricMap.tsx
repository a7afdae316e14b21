// The grids under a node, coloured by open cases or by a rate, with a legend; a click opens the grid.
// Polygons come from the same geography API as the map page; like every console map it needs no tile
// server (tiles are added under the polygons only when the server's config names one).
import { useEffect, useMemo, useRef, useState } from 'react';
import { Select } from 'antd';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { api, isForbidden, type FeatureCollection, type GridFeatureProps } from '../../api.ts';
import { useLeafletMap } from '../useOptionalTiles.ts';
import type { GridFigure } from './metricsApi.ts';
import { percent, useCommandI18n } from './messages.ts';

export type MapMeasure = 'backlog' | 'overdueOpen' | 'received' | 'response' | 'resolution' | 'satisfaction' | 'composite';
const MEASURES: MapMeasure[] = ['backlog', 'overdueOpen', 'received', 'response', 'resolution', 'satisfaction', 'composite'];
const isRate = (m: MapMeasure) => m === 'response' || m === 'resolution' || m === 'satisfaction' || m === 'composite';

interface Bin {
  colour: string;
  label: string;
  test: (v: number | null) => boolean;
}

const COUNT_COLOURS = ['#ffe7ba', '#ffc069', '#fa8c16', '#d4380d', '#a8071a'];
const RATE_BINS: Array<[number, number, string]> = [
  [0, 0.6, '#cf1322'],
  [0.6, 0.75, '#fa8c16'],
  [0.75, 0.85, '#fadb14'],
  [0.85, 0.95, '#95de64'],
  [0.95, 1.0001, '#389e0d'],
];

/** Legend bins: fixed bands for rates; for counts, zero and up to five equal bands up to the largest. */
export function binsFor(measure: MapMeasure, values: Array<number | null>, noData: string): Bin[] {
  const grey = { colour: '#d9d9d9', label: noData, test: (v: number | null) => v === null };
  if (isRate(measure)) {
    const scale = measure === 'composite' ? 100 : 1;
    return [
      ...RATE_BINS.map(([lo, hi, colour]) => ({
        colour,
        label: measure === 'composite' ? `${Math.round(lo * 100)}–${Math.min(100, Math.round(hi * 100))}` : `${percent(lo, 0)}–${percent(Math.min(1, hi), 0)}`,
        test: (v: number | null) => v !== null && v / scale >= lo && v / scale < hi,
      })),
      grey,
    ];
  }
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  const zero = { colour: '#f6ffed', label: '0', test: (v: number | null) => (v ?? 0) === 0 };
  if (max === 0) return [zero];
  const bands = Math.min(5, max);
  const step = Math.ceil(max / bands);
  const out: Bin[] = [zero];
  for (let i = 0; i < bands; i++) {
    const lo = i * step + 1;
    const hi = i === bands - 1 ? max : (i + 1) * step;
    if (lo > max) break;
    out.push({ colour: COUNT_COLOURS[Math.round((i * (COUNT_COLOURS.length - 1)) / Math.max(1, bands - 1))], label: lo === hi ? String(lo) : `${lo}–${hi}`, test: (v) => v !== null && v >= lo && v <= hi });
  }
  return out;
}

export function GridMetricMap({
  regionId,
  figures,
  measure,
  onMeasure,
  onDrill,
  dark = false,
  height = 360,
}: {
  regionId: number;
  figures: GridFigure[] | undefined;
  measure: MapMeasure;
  onMeasure: (m: MapMeasure) => void;
  onDrill: (ref: string) => void;
  dark?: boolean;
  height?: number | string;
}) {
  const { t } = useCommandI18n();
  const mapDiv = useRef<HTMLDivElement | null>(null);
  const layerRef = useRef<L.GeoJSON | null>(null);
  const layers = useRef(new Map<number, L.Path>());
  const drill = useRef(onDrill);
  drill.current = onDrill;
  const [shapes, setShapes] = useState<FeatureCollection<GridFeatureProps> | null>(null);
  const [unavailable, setUnavailable] = useState(false);

  const { mapRef } = useLeafletMap(mapDiv, { center: [27.7, 106.9], zoom: 11, zoomControl: true, attributionControl: true });

  useEffect(() => {
    let cancelled = false;
    setUnavailable(false);
    api
      .mapGrids(regionId)
      .then((fc) => !cancelled && setShapes(fc))
      .catch((err) => {
        if (cancelled) return;
        setShapes({ type: 'FeatureCollection', features: [] });
        if (isForbidden(err)) setUnavailable(true);
      });
    return () => {
      cancelled = true;
    };
  }, [regionId]);

  const byId = useMemo(() => new Map((figures ?? []).map((g) => [g.id, g])), [figures]);
  const valueOf = (g: GridFigure | undefined): number | null => (g ? (g[measure] ?? null) : null);
  const bins = useMemo(() => binsFor(measure, (figures ?? []).map((g) => g[measure] ?? null), t('mapNoData')), [figures, measure, t]);
  const colourOf = (v: number | null) => bins.find((b) => b.test(v))?.colour ?? '#d9d9d9';
  const format = (v: number | null) => (v === null ? t('mapNoData') : measure === 'composite' ? v.toFixed(1) : isRate(measure) ? percent(v) : String(v));

  // Polygons: drawn once per node, fitted to the view.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !shapes) return;
    layerRef.current?.remove();
    layers.current.clear();
    const layer = L.geoJSON(shapes as unknown as Parameters<typeof L.geoJSON>[0], {
      onEachFeature: (feature, lyr) => {
        const id = Number((feature.properties as GridFeatureProps)?.id ?? feature.id);
        layers.current.set(id, lyr as L.Path);
        lyr.on('click', () => drill.current(`region:${id}`));
        lyr.on('add', () => {
          const el = (lyr as L.Path).getElement?.();
          el?.setAttribute('data-testid', 'command-grid');
          el?.setAttribute('data-grid-id', String(id));
        });
      },
    });
    layer.addTo(map);
    layerRef.current = layer;
    const b = layer.getBounds();
    if (b.isValid()) map.fitBounds(b, { padding: [12, 12], maxZoom: 17 });
  }, [shapes]);

  // Colours and tooltips follow the figures (refreshed live) without moving the view.
  useEffect(() => {
    for (const [id, lyr] of layers.current) {
      const g = byId.get(id);
      const v = valueOf(g);
      lyr.setStyle({ color: dark ? '#8fb4ff' : '#1d39c4', weight: 1, opacity: 0.8, fillColor: colourOf(v), fillOpacity: 0.75 });
      const name = g?.name ?? ((lyr as L.Path & { feature?: { properties?: GridFeatureProps } }).feature?.properties?.name ?? String(id));
      lyr.unbindTooltip();
      lyr.bindTooltip(`${name}：${format(v)}`, { sticky: true });
      lyr.getElement?.()?.setAttribute('data-value', v === null ? '' : String(v));
    }
  }, [byId, measure, bins, dark, shapes]); // eslint-disable-line react-hooks/exhaustive-deps

  const empty = shapes && shapes.features.length === 0;
  return (
    <div data-testid="command-map" data-measure={measure}>
      <div className="cmd-card-bar">
        <span className="cmd-card-title">{t('map')}</span>
        <Select
          size="small"
          data-testid="map-measure"
          style={{ width: 130 }}
          value={measure}
          onChange={(v: MapMeasure) => onMeasure(v)}
          options={MEASURES.map((m) => ({ value: m, label: t(m) }))}
          popupMatchSelectWidth={false}
        />
      </div>
      <div style={{ position: 'relative' }}>
        <div ref={mapDiv} className={`cmd-map${dark ? ' cmd-map-dark' : ''}`} style={{ height }} />
        {(empty || unavailable) && <div className="cmd-map-note">{unavailable ? t('mapUnavailable') : t('mapNoGrids')}</div>}
        <div className="cmd-legend" data-testid="map-legend">
          {bins.map((b) => (
            <span key={b.label} className="cmd-legend-item">
              <i style={{ background: b.colour }} />
              {b.label}
            </span>
          ))}
        </div>
      </div>
    </div>
  );
}


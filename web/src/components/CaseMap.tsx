// Open cases as coloured points on a Leaflet map. Like MapPage, it needs no tile server: tiles appear
// only when the server's config names one (CIVICGRID_MAP_TILE_URL); the points alone are the map otherwise.
import { useEffect, useRef, useState } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useLeafletMap } from './useOptionalTiles.ts';
import { api, type CaseMapResult } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { navigate } from '../router.tsx';

const COLORS: Record<string, string> = { red: '#cf1322', orange: '#fa8c16', yellow: '#d4b106', green: '#389e0d' };

export function CaseMap({ data, flashIds, height = 420 }: { data: CaseMapResult | null; flashIds?: ReadonlySet<number>; height?: number }) {
  const { t } = useI18n();
  const mapDiv = useRef<HTMLDivElement | null>(null);
  const layerRef = useRef<L.LayerGroup | null>(null);
  const fitted = useRef(false);
  const { mapRef } = useLeafletMap(mapDiv, { center: [35, 105], zoom: 4 }, (map) => {
    layerRef.current = L.layerGroup().addTo(map);
  });

  useEffect(() => {
    const map = mapRef.current;
    const group = layerRef.current;
    if (!map || !group || !data) return;
    group.clearLayers();
    const points: L.LatLngExpression[] = [];
    for (const feature of data.features) {
      const [lng, lat] = feature.geometry.coordinates;
      const p = feature.properties;
      const flashing = flashIds?.has(p.id) ?? false;
      const marker = L.circleMarker([lat, lng], {
        className: 'cg-case-point',
        radius: flashing ? 10 : 7,
        color: p.overdue ? '#000' : '#fff',
        weight: flashing || p.overdue ? 3 : 1.5,
        fillColor: COLORS[p.triageColor] ?? '#1677ff',
        fillOpacity: 0.9,
      })
        .bindTooltip(`${p.number} · ${p.title}`)
        .on('click', () => navigate(`/cases/${p.id}`));
      marker.on('add', () => {
        const el = marker.getElement();
        el?.setAttribute('data-testid', 'board-map-point');
        el?.setAttribute('data-case-id', String(p.id));
      });
      marker.addTo(group);
      points.push([lat, lng]);
    }
    // Fit once; later refreshes keep the dispatcher's view.
    if (!fitted.current && points.length) {
      map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 16 });
      fitted.current = true;
    }
  }, [data, flashIds]);

  return (
    <div style={{ position: 'relative' }}>
      <div ref={mapDiv} data-testid="board-map" style={{ height, borderRadius: 6, border: '1px solid #f0f0f0' }} />
      {data && (data.truncated || data.unlocated > 0) && (
        <div style={{ position: 'absolute', bottom: 8, left: 8, zIndex: 500, background: '#fff', padding: '2px 8px', borderRadius: 4, fontSize: 12, color: '#888', boxShadow: '0 1px 4px rgba(0,0,0,.1)' }}>
          {data.truncated && <span data-testid="board-map-truncated">{t('boardMapTruncated', { n: data.features.length, total: data.total })} </span>}
          {data.unlocated > 0 && <span>{t('boardMapUnlocated', { n: data.unlocated })}</span>}
        </div>
      )}
    </div>
  );
}

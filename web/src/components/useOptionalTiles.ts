import { useEffect, useState, type RefObject } from 'react';
import L from 'leaflet';
import { api, type AppConfig } from '../api.ts';

/**
 * Every console map works without a tile server: tiles are added under the drawn layers only when the
 * server's config names a tile URL (CIVICGRID_MAP_TILE_URL).
 */
export function useOptionalTiles(mapRef: RefObject<L.Map | null>): AppConfig | null {
  const [config, setConfig] = useState<AppConfig | null>(null);
  useEffect(() => {
    let cancelled = false;
    api
      .config()
      .then((c) => !cancelled && setConfig(c))
      .catch(() => !cancelled && setConfig({ mapTileUrl: null }));
    return () => {
      cancelled = true;
    };
  }, []);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !config?.mapTileUrl) return;
    const layer = L.tileLayer(config.mapTileUrl, { attribution: config.mapTileAttribution ?? '', maxZoom: 19 }).addTo(map);
    layer.bringToBack();
    return () => {
      layer.remove();
    };
  }, [config, mapRef]);
  return config;
}

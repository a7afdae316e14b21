import { useEffect, useRef, useState, type RefObject } from 'react';
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

/**
 * A Leaflet map in `container` for the component's lifetime: created once, resized with its box, removed on
 * unmount, with the optional tiles. `setup` adds what the map needs from the start (layers, handlers) and may
 * return its own cleanup.
 */
export function useLeafletMap(container: RefObject<HTMLDivElement | null>, options: L.MapOptions, setup?: (map: L.Map) => void | (() => void)) {
  const mapRef = useRef<L.Map | null>(null);
  const setupRef = useRef(setup);
  setupRef.current = setup;
  useEffect(() => {
    if (!container.current) return;
    const map = L.map(container.current, options);
    map.attributionControl?.setPrefix('Leaflet');
    mapRef.current = map;
    const resize = new ResizeObserver(() => map.invalidateSize());
    resize.observe(container.current);
    const teardown = setupRef.current?.(map);
    return () => {
      teardown?.();
      resize.disconnect();
      map.remove();
      mapRef.current = null;
    };
    // Created once: later option changes do not rebuild the map.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const config = useOptionalTiles(mapRef);
  return { mapRef, config };
}

// 登记诉求: hotline staff and grid workers on a visit enter a case for a resident. The place is a building
// or grid code (looked up and shown back for confirmation) or a point clicked on a small map; the server
// routes it exactly as a QR report. One Idempotency-Key per submission, kept when a network error hid the
// answer, so clicking submit again can never enter the case twice.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Checkbox, Form, Input, Radio, Select, Segmented, Space, Typography, Upload, type UploadFile } from 'antd';
import { PlusOutlined, SearchOutlined } from '@ant-design/icons';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useLeafletMap } from '../components/useOptionalTiles.ts';
import {
  api,
  ApiError,
  intakeApi,
  isAuthRedirect,
  newIdempotencyKey,
  type CaseCategory,
  type LngLat,
  type LocateResult,
  type PlaceInfo,
  type StaffReport,
} from '../api.ts';
import { toastSuccess } from '../common.tsx';
import { useI18n } from '../i18n.ts';
import { navigate } from '../router.tsx';

type PlaceMode = 'code' | 'map';

interface Values {
  channel: 'hotline' | 'grid_worker';
  placeCode?: string;
  point?: LngLat;
  categoryCode: string;
  title?: string;
  description: string;
  reporterName?: string;
  reporterPhone?: string;
  consent?: boolean;
}

const PLACE_CODE = /^[0-9A-Za-z_-]{1,40}$/;
const MOBILE = /^1[3-9][0-9]{9}$/;
const MAX_PHOTOS = 6;

/**
 * The city code the categories are listed by: the city node is the root for city staff, otherwise the
 * first ancestor of level `city` of the user's top node (region codes of city nodes are the city's code).
 */
async function ownCityCode(): Promise<string | null> {
  const roots = (await api.regionRoots()).items;
  const city = roots.find((n) => n.level === 'city');
  if (city) return city.code;
  if (!roots[0]) return null;
  const detail = await intakeApi.region(roots[0].id);
  return detail.ancestors.find((a) => a.level === 'city')?.code ?? null;
}

/**
 * A keep-the-answer rule for the Idempotency-Key: the server stores its answer for 2xx and most 4xx, so a
 * changed form needs a new key then; after a network error, a 5xx, a 409 (still running), 401 or 429 nothing
 * was stored (or the first attempt may have gone through), so the same key is sent again.
 */
const keepKeyAfter = (err: unknown) =>
  !(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.status === 409 || err.status === 401 || err.status === 429;

export default function NewCasePage() {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const [cityCode, setCityCode] = useState<string | null>(null);
  const [categories, setCategories] = useState<CaseCategory[]>([]);
  const [categoriesLoading, setCategoriesLoading] = useState(false);
  const [mode, setMode] = useState<PlaceMode>('code');
  const [place, setPlace] = useState<{ code: string; info: PlaceInfo } | null>(null);
  const [located, setLocated] = useState<LocateResult | null>(null);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<{ message: string; retry: boolean } | null>(null);
  const idempotencyKey = useRef(newIdempotencyKey());
  const lookups = useRef(new Map<string, Promise<PlaceInfo | null>>());

  useEffect(() => {
    ownCityCode()
      .then(setCityCode)
      .catch(() => setCityCode(null));
  }, []);

  // A looked-up place is authoritative for the city (a code names one place of one city).
  const effectiveCity = place?.info.cityCode ?? cityCode;
  useEffect(() => {
    if (!effectiveCity) return;
    let cancelled = false;
    setCategoriesLoading(true);
    intakeApi
      .categories(effectiveCity)
      .then((r) => {
        if (!cancelled) setCategories(r.items);
      })
      .catch((err) => {
        if (!cancelled && !isAuthRedirect(err)) setError({ message: (err as Error).message, retry: false });
      })
      .finally(() => {
        if (!cancelled) setCategoriesLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [effectiveCity]);

  /** The place behind a code (null when no building or grid has it), asked once per code. */
  const lookUp = useCallback(
    (code: string): Promise<PlaceInfo | null> => {
      let pending = lookups.current.get(code);
      if (!pending) {
        pending = intakeApi.place(code, cityCode ?? undefined).catch((err: unknown) => {
          lookups.current.delete(code);
          if (err instanceof ApiError && err.status === 404) return null;
          throw err;
        });
        lookups.current.set(code, pending);
      }
      return pending.then((info) => {
        if ((form.getFieldValue('placeCode') ?? '').trim() === code) setPlace(info ? { code, info } : null);
        return info;
      });
    },
    [cityCode, form],
  );

  const onPoint = useCallback((point: LngLat) => {
    setLocated(null);
    intakeApi
      .locate(point[0], point[1])
      .then(setLocated)
      .catch(() => setLocated(null));
  }, []);

  const uploading = files.some((f) => f.status === 'uploading');

  const onFinish = async (values: Values) => {
    if (uploading) {
      setError({ message: t('newCasePhotosUploading'), retry: false });
      return;
    }
    const body: StaffReport = { channel: values.channel, categoryCode: values.categoryCode, description: values.description.trim() };
    if (mode === 'code') {
      body.placeCode = values.placeCode!.trim();
      if (place?.code === body.placeCode) body.cityCode = place.info.cityCode;
    } else {
      const [lng, lat] = values.point!;
      Object.assign(body, { lng, lat, crs: 'wgs84' });
    }
    const title = values.title?.trim();
    if (title) body.title = title;
    const name = values.reporterName?.trim();
    const phone = values.reporterPhone?.trim();
    if (name) body.reporterName = name;
    if (phone) body.reporterPhone = phone;
    if (name || phone) body.consent = Boolean(values.consent);
    const tokens = files.map((f) => (f.response as { token?: string } | undefined)?.token).filter((x): x is string => Boolean(x));
    if (tokens.length) body.photoTokens = tokens;

    setSubmitting(true);
    setError(null);
    try {
      const created = await intakeApi.createCase(body, idempotencyKey.current);
      toastSuccess(t('newCaseSubmitted', { n: created.number }));
      navigate(`/cases/${created.id}`);
    } catch (err) {
      if (isAuthRedirect(err)) return;
      const retry = keepKeyAfter(err);
      if (!retry) idempotencyKey.current = newIdempotencyKey();
      setError({ message: err instanceof Error ? err.message : String(err), retry });
    } finally {
      setSubmitting(false);
    }
  };

  const placeLevel = place ? t(place.info.level === 'building' ? 'newCasePlaceLevel_building' : 'newCasePlaceLevel_grid') : '';

  return (
    <Card title={t('newCaseTitle')} style={{ maxWidth: 880 }} data-testid="newcase-page">
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ channel: 'hotline', consent: false }}
        onFinish={(v) => void onFinish(v)}
        onValuesChange={() => setError((e) => (e && e.retry ? e : null))}
        disabled={submitting}
      >
        <Form.Item name="channel" label={t('newCaseChannel')} rules={[{ required: true }]}>
          <Radio.Group data-testid="newcase-channel" optionType="button" buttonStyle="solid">
            <Radio value="hotline">{t('newCaseChannel_hotline')}</Radio>
            <Radio value="grid_worker">{t('newCaseChannel_grid_worker')}</Radio>
          </Radio.Group>
        </Form.Item>

        <Form.Item label={t('newCasePlace')} required style={{ marginBottom: 8 }}>
          <Segmented<PlaceMode>
            data-testid="newcase-place-mode"
            value={mode}
            onChange={(m) => {
              setMode(m);
              setError(null);
            }}
            options={[
              { value: 'code', label: t('newCasePlaceByCode') },
              { value: 'map', label: t('newCasePlaceByMap') },
            ]}
          />
        </Form.Item>
        {mode === 'code' ? (
          <>
            <Form.Item
              name="placeCode"
              validateTrigger="onBlur"
              rules={[
                { required: true, whitespace: true, message: t('newCasePlaceRequired') },
                {
                  validator: async (_, value: string | undefined) => {
                    const code = (value ?? '').trim();
                    if (!code) return;
                    if (!PLACE_CODE.test(code) || !(await lookUp(code))) throw new Error(t('newCasePlaceUnknown', { code }));
                  },
                },
              ]}
              style={{ marginBottom: 8 }}
            >
              <Input
                data-testid="newcase-place-code"
                placeholder={t('newCasePlaceCodePlaceholder')}
                maxLength={40}
                allowClear
                onChange={() => setPlace(null)}
                onPressEnter={(e) => {
                  e.preventDefault();
                  void form.validateFields(['placeCode']).catch(() => undefined);
                }}
                suffix={
                  <Button
                    type="link"
                    size="small"
                    icon={<SearchOutlined />}
                    data-testid="newcase-place-lookup"
                    onClick={() => void form.validateFields(['placeCode']).catch(() => undefined)}
                  >
                    {t('newCaseLookup')}
                  </Button>
                }
              />
            </Form.Item>
            {place && (
              <div data-testid="newcase-place-name" data-level={place.info.level} style={{ margin: '0 0 16px', color: '#389e0d' }}>
                {placeLevel}：<strong>{place.info.placeName}</strong>
                {place.info.address && place.info.address !== place.info.placeName ? ` · ${place.info.address}` : ''}
                {place.info.gridName && place.info.level === 'building' ? ` · ${place.info.gridName}` : ''}
                {place.info.communityName ? ` · ${place.info.communityName}` : ''}
              </div>
            )}
          </>
        ) : (
          <>
            <Form.Item name="point" rules={[{ required: true, message: t('newCasePointRequired') }]} style={{ marginBottom: 8 }} extra={t('newCasePointHint')}>
              <PointPicker onPick={onPoint} />
            </Form.Item>
            {located && (
              <div data-testid="newcase-point-place" style={{ margin: '0 0 16px' }}>
                {located.grid ? (
                  <span style={{ color: '#389e0d' }}>{t('newCasePointGrid', { name: located.grid.name })}</span>
                ) : (
                  <Typography.Text type="warning">{located.outsideScope ? t('newCasePointOutside') : t('newCasePointNoGrid')}</Typography.Text>
                )}
                {located.nearestBuilding && located.nearestBuilding.distanceMeters <= 50 && (
                  <span> · {t('newCaseNearestBuilding', { name: located.nearestBuilding.name, m: Math.round(located.nearestBuilding.distanceMeters) })}</span>
                )}
              </div>
            )}
          </>
        )}

        <Form.Item name="categoryCode" label={t('newCaseCategory')} rules={[{ required: true, message: t('newCaseCategoryRequired') }]}>
          <Select
            data-testid="newcase-category"
            showSearch={{ optionFilterProp: 'label' }}
            loading={categoriesLoading}
            options={categories.map((c) => ({ value: c.code, label: c.name }))}
            style={{ maxWidth: 360 }}
          />
        </Form.Item>
        <Form.Item name="title" label={t('newCaseTitleField')}>
          <Input data-testid="newcase-title" maxLength={60} placeholder={t('newCaseTitlePlaceholder')} />
        </Form.Item>
        <Form.Item
          name="description"
          label={t('newCaseDescription')}
          rules={[
            { required: true, whitespace: true, message: t('newCaseDescriptionRequired') },
            { validator: async (_, v: string | undefined) => { if (v && v.trim().length < 2) throw new Error(t('newCaseDescriptionRequired')); } },
          ]}
        >
          <Input.TextArea data-testid="newcase-description" rows={4} maxLength={2000} showCount />
        </Form.Item>

        <Space size={16} wrap align="start">
          <Form.Item name="reporterName" label={t('newCaseName')}>
            <Input data-testid="newcase-name" maxLength={40} style={{ width: 220 }} />
          </Form.Item>
          <Form.Item
            name="reporterPhone"
            label={t('newCasePhone')}
            rules={[{ validator: async (_, v: string | undefined) => { if (v && v.trim() && !MOBILE.test(v.trim())) throw new Error(t('newCasePhoneInvalid')); } }]}
          >
            <Input data-testid="newcase-phone" maxLength={11} inputMode="tel" style={{ width: 220 }} />
          </Form.Item>
        </Space>
        <Form.Item
          name="consent"
          valuePropName="checked"
          dependencies={['reporterName', 'reporterPhone']}
          rules={[
            ({ getFieldValue }) => ({
              validator: async (_, checked: boolean | undefined) => {
                const given = `${getFieldValue('reporterName') ?? ''}${getFieldValue('reporterPhone') ?? ''}`.trim();
                if (given && !checked) throw new Error(t('newCaseConsentRequired'));
              },
            }),
          ]}
        >
          <Checkbox data-testid="newcase-consent">{t('newCaseConsent')}</Checkbox>
        </Form.Item>

        <Form.Item label={t('newCasePhotos')}>
          <Upload
            data-testid="newcase-photos"
            listType="picture-card"
            accept="image/jpeg,image/png,image/webp,image/heic"
            maxCount={MAX_PHOTOS}
            fileList={files}
            onChange={({ fileList }) => setFiles(fileList)}
            customRequest={({ file, onSuccess, onError }) => {
              const blob = file as File;
              intakeApi
                .uploadPhoto(blob, blob.name || 'photo.jpg')
                .then((r) => onSuccess?.(r))
                .catch((err: Error) => onError?.(err));
            }}
          >
            {files.length < MAX_PHOTOS && (
              <button type="button" style={{ border: 0, background: 'none', cursor: 'pointer' }}>
                <PlusOutlined />
                <div style={{ marginTop: 4 }}>{t('newCasePhotoUpload')}</div>
              </button>
            )}
          </Upload>
        </Form.Item>

        {error && (
          <Alert
            data-testid="newcase-error"
            data-retry={error.retry ? 'true' : 'false'}
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('newCaseFailed')}
            description={error.retry ? `${error.message}（${t('newCaseRetryHint')}）` : error.message}
          />
        )}
        <Button type="primary" htmlType="submit" loading={submitting} disabled={uploading} data-testid="newcase-submit">
          {t('newCaseSubmit')}
        </Button>
      </Form>
    </Card>
  );
}

const GRID_STYLE: L.PathOptions = { color: '#1677ff', weight: 1, fillColor: '#69b1ff', fillOpacity: 0.12, interactive: false };

/**
 * A small map to click the place on (WGS-84). Like MapPage it needs no tile server: the user's grids are
 * drawn for orientation, and tiles appear only when the server's config names a tile URL.
 */
function PointPicker({ value, onChange, onPick }: { value?: LngLat; onChange?: (v: LngLat) => void; onPick: (v: LngLat) => void }) {
  const mapDiv = useRef<HTMLDivElement | null>(null);
  const markerRef = useRef<L.CircleMarker | null>(null);
  const handlers = useRef({ onChange, onPick });
  handlers.current = { onChange, onPick };

  const { mapRef } = useLeafletMap(mapDiv, { center: [35, 105], zoom: 4 }, (map) => {
    map.on('click', (e: L.LeafletMouseEvent) => {
      const point: LngLat = [Number(e.latlng.lng.toFixed(6)), Number(e.latlng.lat.toFixed(6))];
      handlers.current.onChange?.(point);
      handlers.current.onPick(point);
    });
    let cancelled = false;
    // The grids of the user's area, for orientation (the server routes the point, whatever is drawn).
    api
      .regionRoots()
      .then((roots) => (roots.items[0] ? api.mapGrids(roots.items[0].id) : null))
      .then((grids) => {
        if (cancelled || !grids) return;
        const layer = L.geoJSON(grids as unknown as Parameters<typeof L.geoJSON>[0], {
          style: () => ({ ...GRID_STYLE }),
          onEachFeature: (feature, lyr) => {
            lyr.on('add', () => {
              const el = (lyr as L.Path).getElement?.();
              el?.setAttribute('data-testid', 'newcase-map-grid');
              el?.setAttribute('data-grid-id', String((feature.properties as { id?: unknown } | null)?.id ?? ''));
            });
          },
        }).addTo(map);
        const bounds = layer.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  });

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    markerRef.current?.remove();
    markerRef.current = value ? L.circleMarker([value[1], value[0]], { radius: 8, color: '#fff', weight: 2, fillColor: '#cf1322', fillOpacity: 0.95, interactive: false }).addTo(map) : null;
  }, [value]);

  return (
    <div>
      <div ref={mapDiv} data-testid="newcase-map" className="cg-map" style={{ height: 300, borderRadius: 6, border: '1px solid #f0f0f0', cursor: 'crosshair' }} />
      {value && (
        <div data-testid="newcase-point" className="cg-mono" style={{ fontSize: 12, color: '#888', marginTop: 4 }}>
          {value[0].toFixed(6)}, {value[1].toFixed(6)} (WGS-84)
        </div>
      )}
    </div>
  );
}

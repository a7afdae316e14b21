import { useEffect, useRef } from 'react';
import { newKey, preparePhoto, uploadPhoto } from './api.ts';
import type { Translate } from './i18n.ts';
import { errorText } from './shared.ts';

export const MAX_PHOTOS = 6;

export interface PhotoItem {
  id: string;
  /** Idempotency-Key of this photo's upload, kept for its retries. */
  key: string;
  preview: string;
  blob: Blob | null;
  progress: number;
  state: 'preparing' | 'uploading' | 'done' | 'error';
  token?: string;
  error?: string;
}

/** Up to six photos, each uploaded as soon as it is chosen, with progress, retry and remove. */
export function PhotoPicker({ photos, setPhotos, t }: { photos: PhotoItem[]; setPhotos: (update: (items: PhotoItem[]) => PhotoItem[]) => void; t: Translate }) {
  const aborts = useRef(new Map<string, () => void>());
  const input = useRef<HTMLInputElement>(null);
  const update = (id: string, patch: Partial<PhotoItem>) => setPhotos((items) => items.map((p) => (p.id === id ? { ...p, ...patch } : p)));

  // Leaving the page cancels uploads in flight and frees the previews.
  const latest = useRef(photos);
  latest.current = photos;
  useEffect(() => () => {
    for (const abort of aborts.current.values()) abort();
    for (const p of latest.current) URL.revokeObjectURL(p.preview);
  }, []);

  function send(id: string, blob: Blob, key: string) {
    update(id, { state: 'uploading', progress: 0, error: undefined });
    const upload = uploadPhoto(blob, key, (progress) => update(id, { progress }));
    aborts.current.set(id, upload.abort);
    upload.done.then(
      (photo) => update(id, { state: 'done', progress: 100, token: photo.token }),
      (error) => {
        if ((error as { code?: string }).code !== 'aborted') update(id, { state: 'error', error: errorText(error, t) });
      },
    ).finally(() => aborts.current.delete(id));
  }

  async function add(files: FileList | null) {
    const chosen = Array.from(files ?? []).slice(0, Math.max(0, MAX_PHOTOS - photos.length));
    if (input.current) input.current.value = '';
    const items = chosen.map((file) => ({ file, item: { id: newKey(), key: newKey(), preview: URL.createObjectURL(file), blob: null, progress: 0, state: 'preparing' as const } }));
    setPhotos((current) => [...current, ...items.map((i) => i.item)].slice(0, MAX_PHOTOS));
    for (const { file, item } of items) {
      const blob = await preparePhoto(file);
      if (!latest.current.some((p) => p.id === item.id)) continue; // removed meanwhile
      update(item.id, { blob });
      send(item.id, blob, item.key);
    }
  }

  function remove(item: PhotoItem) {
    aborts.current.get(item.id)?.();
    URL.revokeObjectURL(item.preview);
    setPhotos((items) => items.filter((p) => p.id !== item.id));
  }

  return (
    <div className="photos">
      <div className="thumbs">
        {photos.map((p) => (
          <figure key={p.id} className={`thumb thumb-${p.state}`} data-testid="resident-photo-thumb" data-state={p.state}>
            <img src={p.preview} alt="" />
            {p.state !== 'done' && (
              <figcaption>
                {p.state === 'error' ? (
                  <button type="button" className="link" onClick={() => p.blob && send(p.id, p.blob, p.key)} title={p.error}>
                    {t('uploadFailed')} · {t('retry')}
                  </button>
                ) : (
                  <>
                    <span>{t('uploading', { p: p.progress })}</span>
                    <progress max={100} value={p.progress} />
                  </>
                )}
              </figcaption>
            )}
            <button type="button" className="remove" aria-label={t('removePhoto')} onClick={() => remove(p)}>
              ×
            </button>
          </figure>
        ))}
        {photos.length < MAX_PHOTOS && (
          <label className="thumb add">
            <span>＋</span>
            <span>{t('addPhoto')}</span>
            <input ref={input} type="file" accept="image/*" multiple className="visually-hidden" data-testid="resident-photo-input" onChange={(e) => void add(e.target.files)} />
          </label>
        )}
      </div>
      {photos.some((p) => p.state === 'error') && <p className="error">{photos.find((p) => p.state === 'error')?.error}</p>}
    </div>
  );
}

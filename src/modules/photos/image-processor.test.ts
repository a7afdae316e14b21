import { afterEach, describe, expect, it } from 'vitest';
import { plainJpeg } from '../../../tests/support/photos.ts';
import { defaultPhotoLimits, detectImageType, ImageError } from './image.ts';
import { ImageProcessor } from './image-processor.ts';

describe('image processor (worker thread)', () => {
  const open: ImageProcessor[] = [];
  const processor = (...args: ConstructorParameters<typeof ImageProcessor>) => {
    const created = new ImageProcessor(...args);
    open.push(created);
    return created;
  };
  afterEach(async () => {
    for (const p of open.splice(0)) await p.close();
  });

  it('normalises pictures in order off the main thread and reports bad ones as ImageError', async () => {
    const images = processor();
    const [a, b, bad] = await Promise.allSettled([images.normalize(plainJpeg(30, 20)), images.normalize(plainJpeg(20, 30)), images.normalize(Buffer.from('not a picture'))]);
    expect(a.status === 'fulfilled' && [a.value.width, a.value.height, detectImageType(a.value.jpeg)]).toEqual([30, 20, 'jpeg']);
    expect(b.status === 'fulfilled' && [b.value.width, b.value.height]).toEqual([20, 30]);
    expect(bad.status === 'rejected' && bad.reason instanceof ImageError && bad.reason.kind).toBe('unsupported');
  });

  it('stops a picture that takes too long and carries on with a fresh worker', async () => {
    const options = { maxQueue: 4, timeoutMs: 1 };
    const images = processor(defaultPhotoLimits, options);
    const slow = await images.normalize(plainJpeg(1500, 1500)).catch((error) => error);
    expect(slow).toBeInstanceOf(ImageError);
    expect((slow as ImageError).kind).toBe('too_large');
    options.timeoutMs = 30_000;
    const next = await images.normalize(plainJpeg(10, 10));
    expect([next.width, next.height]).toEqual([10, 10]);
  });

  it('refuses work beyond its queue instead of piling up memory', async () => {
    const images = processor(defaultPhotoLimits, { maxQueue: 1, timeoutMs: 30_000 });
    const results = await Promise.allSettled([images.normalize(plainJpeg()), images.normalize(plainJpeg()), images.normalize(plainJpeg())]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'rate_limited' });
  });
});

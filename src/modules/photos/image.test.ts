import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { containsBytes, GPS_MARKER, hasApp1, jpegClaiming, jpegWithExif, pngClaiming, pngImage, plainJpeg } from '../../../tests/support/photos.ts';
import { detectImageType, exifOrientation, fitWithin, ImageError, normalizePhoto, orient, resizeOpaque, type Rgba } from './image.ts';

const kindOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof ImageError ? error.kind : `other: ${(error as Error).message}`;
  }
  return 'accepted';
};

/** A w×h RGBA image whose pixel (x, y) has red = x and green = y. */
function grid(w: number, h: number): Rgba {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, 0, 255], (y * w + x) * 4);
  return { width: w, height: h, data };
}
const at = (image: Rgba, x: number, y: number) => [image.data[(y * image.width + x) * 4], image.data[(y * image.width + x) * 4 + 1]];

describe('photo normalisation (pure)', () => {
  it('decides the type by magic bytes only', () => {
    expect(detectImageType(plainJpeg())).toBe('jpeg');
    expect(detectImageType(pngImage())).toBe('png');
    expect(detectImageType(Buffer.from('GIF89a\x01\x00\x01\x00'))).toBeNull();
    expect(detectImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBeNull();
    expect(detectImageType(Buffer.from('<!doctype html><script>alert(1)</script>'))).toBeNull();
    expect(detectImageType(Buffer.from([0xff, 0xd8]))).toBeNull();
    expect(detectImageType(Buffer.alloc(0))).toBeNull();
  });

  it('reads the EXIF orientation in either byte order, with or without the Exif header', () => {
    const mm = jpegWithExif(8, 8, { orientation: 6 });
    const start = mm.indexOf(Buffer.from('Exif\0\0', 'latin1'));
    const tiff = mm.subarray(start, start + 200);
    expect(exifOrientation(tiff)).toBe(6);
    expect(exifOrientation(tiff.subarray(5))).toBe(6); // what jpeg-js hands over
    expect(exifOrientation(tiff.subarray(6))).toBe(6);
    const ii = Buffer.from('II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x08\0\0\0\0\0\0\0', 'latin1');
    expect(exifOrientation(ii)).toBe(8);
    expect(exifOrientation(Buffer.from('II*\0\xff\xff\0\0garbage', 'latin1'))).toBe(1);
    expect(exifOrientation(null)).toBe(1);
  });

  it('turns pixels upright for all eight orientations', () => {
    const image = grid(3, 2); // (x, y) → red x, green y
    const corners = (o: number) => {
      const r = orient(image, o);
      return { size: [r.width, r.height], topLeft: at(r, 0, 0), topRight: at(r, r.width - 1, 0), bottomLeft: at(r, 0, r.height - 1) };
    };
    expect(corners(1)).toEqual({ size: [3, 2], topLeft: [0, 0], topRight: [2, 0], bottomLeft: [0, 1] });
    expect(corners(2)).toEqual({ size: [3, 2], topLeft: [2, 0], topRight: [0, 0], bottomLeft: [2, 1] });
    expect(corners(3)).toEqual({ size: [3, 2], topLeft: [2, 1], topRight: [0, 1], bottomLeft: [2, 0] });
    expect(corners(4)).toEqual({ size: [3, 2], topLeft: [0, 1], topRight: [2, 1], bottomLeft: [0, 0] });
    expect(corners(5)).toEqual({ size: [2, 3], topLeft: [0, 0], topRight: [0, 1], bottomLeft: [2, 0] });
    expect(corners(6)).toEqual({ size: [2, 3], topLeft: [0, 1], topRight: [0, 0], bottomLeft: [2, 1] });
    expect(corners(7)).toEqual({ size: [2, 3], topLeft: [2, 1], topRight: [2, 0], bottomLeft: [0, 1] });
    expect(corners(8)).toEqual({ size: [2, 3], topLeft: [2, 0], topRight: [2, 1], bottomLeft: [0, 0] });
  });

  it('fits the long side and averages areas, compositing transparency on white', () => {
    expect(fitWithin(4000, 3000, 2048)).toEqual({ width: 2048, height: 1536 });
    expect(fitWithin(1000, 3000, 2048)).toEqual({ width: 683, height: 2048 });
    expect(fitWithin(800, 600, 2048)).toEqual({ width: 800, height: 600 });
    const checker = new Uint8Array(4 * 4 * 4);
    for (let i = 0; i < 16; i++) checker.set((i + Math.floor(i / 4)) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255], i * 4);
    const small = resizeOpaque({ width: 4, height: 4, data: checker }, 2, 2);
    expect([...small.data.subarray(0, 4)]).toEqual([128, 128, 128, 255]);
    const clear = resizeOpaque({ width: 1, height: 1, data: new Uint8Array([0, 0, 0, 0]) }, 1, 1);
    expect([...clear.data]).toEqual([255, 255, 255, 255]);
  });

  it('re-encodes a JPEG without its EXIF block, marker or trailing bytes, upright', () => {
    const input = jpegWithExif(64, 48, { orientation: 6, tail: '<script>alert(1)</script>' });
    expect(containsBytes(input, GPS_MARKER)).toBe(true);
    expect(hasApp1(input)).toBe(true);
    const out = normalizePhoto(input);
    expect(detectImageType(out.jpeg)).toBe('jpeg');
    expect(hasApp1(out.jpeg)).toBe(false);
    expect(containsBytes(out.jpeg, GPS_MARKER)).toBe(false);
    expect(containsBytes(out.jpeg, '<script>')).toBe(false);
    expect({ width: out.width, height: out.height }).toEqual({ width: 48, height: 64 });
    // The green first row of the stored picture ends up as the right-hand column after a 90° turn.
    const decoded = jpeg.decode(out.jpeg, { useTArray: true });
    const [r, g, b] = decoded.data.subarray((0 * 48 + 47) * 4, (0 * 48 + 47) * 4 + 3);
    expect(g).toBeGreaterThan(120);
    expect(r + b).toBeLessThan(120);
  });

  it('downscales to 2048 px on the long side', () => {
    const out = normalizePhoto(plainJpeg(2600, 1300));
    expect({ width: out.width, height: out.height }).toEqual({ width: 2048, height: 1024 });
  });

  it('takes a PNG with transparency and gives a JPEG on white', () => {
    const out = normalizePhoto(pngImage(40, 30, 0));
    expect(detectImageType(out.jpeg)).toBe('jpeg');
    const decoded = jpeg.decode(out.jpeg, { useTArray: true });
    expect(Math.min(...decoded.data.subarray(4 * 45, 4 * 45 + 3))).toBeGreaterThan(240);
  });

  it('refuses other types, damaged files and decompression bombs with the right kind', () => {
    const full = plainJpeg(64, 64);
    expect(kindOf(() => normalizePhoto(Buffer.from('just text, named photo.jpg')))).toBe('unsupported');
    expect(kindOf(() => normalizePhoto(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')))).toBe('unsupported');
    expect(kindOf(() => normalizePhoto(full.subarray(0, Math.floor(full.length / 2))))).toBe('corrupt');
    expect(kindOf(() => normalizePhoto(full.subarray(0, 40)))).toBe('corrupt');
    expect(kindOf(() => normalizePhoto(pngImage().subarray(0, 60)))).toBe('corrupt');
    expect(kindOf(() => normalizePhoto(jpegClaiming(30000, 30000)))).toBe('too_large');
    expect(kindOf(() => normalizePhoto(pngClaiming(60000, 60000)))).toBe('too_large');
  });
});

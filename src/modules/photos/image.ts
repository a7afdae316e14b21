import zlib from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/**
 * Photo normalisation, pure and synchronous (run it in the image worker, not on the request thread):
 * the type is decided by the file's first bytes, never by its name or declared type; the image is
 * decoded, turned upright (EXIF orientation), downscaled and re-encoded as a fresh JPEG, so EXIF/GPS,
 * comments, ICC profiles and anything appended to the file are gone.
 */

export type ImageType = 'jpeg' | 'png';

export interface PhotoLimits {
  /** Longest side of the stored photo, in pixels. */
  maxSide: number;
  /** JPEG quality of the stored photo (1–100). */
  quality: number;
  /** Decompression-bomb guard: refuse images with more pixels than this (megapixels). */
  maxMegapixels: number;
  /** Decompression-bomb guard for the JPEG decoder's buffers (MB). */
  maxMemoryMb: number;
}

export const defaultPhotoLimits: PhotoLimits = { maxSide: 2048, quality: 85, maxMegapixels: 25, maxMemoryMb: 320 };

export class ImageError extends Error {
  constructor(
    readonly kind: 'unsupported' | 'corrupt' | 'too_large',
    message: string,
  ) {
    super(message);
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** JPEG or PNG by magic bytes; anything else (GIF, SVG, HTML, WebP, HEIC, text …) is null. */
export function detectImageType(bytes: Uint8Array): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && PNG_SIGNATURE.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 8))) return 'png';
  return null;
}

/**
 * EXIF orientation (tag 0x0112 of IFD0) from an APP1 payload: the TIFF data, optionally preceded by
 * `Exif\0\0` (or by the single `\0` jpeg-js leaves of it). 1 (upright) when absent or unreadable.
 */
export function exifOrientation(exif: Uint8Array | null | undefined): number {
  if (!exif || exif.length < 14) return 1;
  const b = Buffer.from(exif.buffer, exif.byteOffset, exif.length);
  const isOrder = (at: number) => ['II', 'MM'].includes(b.subarray(at, at + 2).toString('latin1'));
  const start = [0, 1, 6].find(isOrder);
  if (start === undefined || b.length < start + 8) return 1;
  const order = b.subarray(start, start + 2).toString('latin1');
  const little = order === 'II';
  const u16 = (at: number) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (at: number) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
  if (u16(start + 2) !== 42) return 1;
  const ifd = start + u32(start + 4);
  if (ifd + 2 > b.length) return 1;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > b.length) return 1;
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

export interface Rgba {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel. */
  data: Uint8Array;
}

/** Target size with the long side at most `maxSide`, keeping the aspect ratio. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= maxSide) return { width, height };
  const scale = maxSide / long;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Area-average downscale (every source pixel counts once, so no aliasing), compositing any transparency
 * on white. Returns RGBA with alpha 255. With equal sizes it only flattens the alpha.
 */
export function resizeOpaque(image: Rgba, width: number, height: number): Rgba {
  const { width: sw, height: sh, data: src } = image;
  const out = new Uint8Array(width * height * 4);
  const columnOf = new Uint32Array(sw);
  for (let x = 0; x < sw; x++) columnOf[x] = Math.min(width - 1, Math.floor((x * width) / sw));
  const sums = new Float64Array(width * 3);
  const counts = new Uint32Array(width);
  let sy = 0;
  for (let oy = 0; oy < height; oy++) {
    const yEnd = Math.max(sy + 1, Math.min(sh, Math.floor(((oy + 1) * sh) / height)));
    sums.fill(0);
    counts.fill(0);
    for (; sy < yEnd; sy++) {
      let p = sy * sw * 4;
      for (let x = 0; x < sw; x++, p += 4) {
        const a = src[p + 3] / 255;
        const white = 255 * (1 - a);
        const o = columnOf[x];
        sums[o * 3] += src[p] * a + white;
        sums[o * 3 + 1] += src[p + 1] * a + white;
        sums[o * 3 + 2] += src[p + 2] * a + white;
        counts[o]++;
      }
    }
    let q = oy * width * 4;
    for (let ox = 0; ox < width; ox++, q += 4) {
      const n = counts[ox] || 1;
      out[q] = Math.round(sums[ox * 3] / n);
      out[q + 1] = Math.round(sums[ox * 3 + 1] / n);
      out[q + 2] = Math.round(sums[ox * 3 + 2] / n);
      out[q + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/** Applies an EXIF orientation (1–8) so the pixels are upright; 5–8 swap width and height. */
export function orient(image: Rgba, orientation: number): Rgba {
  if (orientation <= 1 || orientation > 8) return image;
  const { width: w, height: h, data: src } = image;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(src.length);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: sx = w - 1 - x; sy = y; break; // mirror
        case 3: sx = w - 1 - x; sy = h - 1 - y; break; // 180°
        case 4: sx = x; sy = h - 1 - y; break; // flip
        case 5: sx = y; sy = x; break; // transpose
        case 6: sx = y; sy = h - 1 - x; break; // 90° clockwise
        case 7: sx = w - 1 - y; sy = h - 1 - x; break; // transverse
        default: sx = w - 1 - y; sy = x; break; // 8: 90° counter-clockwise
      }
      const p = (sy * w + sx) * 4;
      const q = (y * ow + x) * 4;
      out[q] = src[p];
      out[q + 1] = src[p + 1];
      out[q + 2] = src[p + 2];
      out[q + 3] = src[p + 3];
    }
  }
  return { width: ow, height: oh, data: out };
}

function decodeJpeg(bytes: Uint8Array, limits: PhotoLimits): { image: Rgba; orientation: number } {
  try {
    const decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: true,
      maxResolutionInMP: limits.maxMegapixels,
      maxMemoryUsageInMB: limits.maxMemoryMb,
    }) as { width: number; height: number; data: Uint8Array; exifBuffer?: Uint8Array };
    if (!decoded.width || !decoded.height) throw new ImageError('corrupt', 'The JPEG has no picture');
    return { image: decoded, orientation: exifOrientation(decoded.exifBuffer) };
  } catch (error) {
    if (error instanceof ImageError) throw error;
    const message = (error as Error).message ?? String(error);
    if (/maxResolutionInMP|maxMemoryUsageInMB|allocate enough memory/.test(message)) {
      throw new ImageError('too_large', `The picture has too many pixels (at most ${limits.maxMegapixels} megapixels)`);
    }
    throw new ImageError('corrupt', 'The JPEG is damaged, incomplete or uses an unsupported encoding');
  }
}

/** Walks the PNG chunks to read the header and bound the inflated size before pngjs inflates anything. */
function checkPng(bytes: Buffer, limits: PhotoLimits) {
  if (bytes.length < 33 || bytes.subarray(12, 16).toString('latin1') !== 'IHDR') throw new ImageError('corrupt', 'The PNG has no header');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const depth = bytes[24];
  const colorType = bytes[25];
  const interlaced = bytes[28] === 1;
  if (!width || !height) throw new ImageError('corrupt', 'The PNG has no picture');
  if (width * height > limits.maxMegapixels * 1_000_000) {
    throw new ImageError('too_large', `The picture has too many pixels (at most ${limits.maxMegapixels} megapixels)`);
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels) throw new ImageError('corrupt', 'The PNG has an unknown colour type');
  // pngjs bounds inflation of plain PNGs itself; interlaced ones it inflates unbounded, so check them here.
  if (interlaced) {
    const idat: Buffer[] = [];
    for (let at = 8; at + 8 <= bytes.length; ) {
      const length = bytes.readUInt32BE(at);
      const type = bytes.subarray(at + 4, at + 8).toString('latin1');
      if (type === 'IDAT') idat.push(bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length)));
      if (type === 'IEND') break;
      at += 12 + length;
    }
    const rowBytes = Math.ceil((width * channels * depth) / 8) + 1;
    const bound = 2 * rowBytes * height + 7 * height + 1024;
    try {
      zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: bound });
    } catch {
      throw new ImageError('corrupt', 'The PNG image data is damaged or larger than its header says');
    }
  }
}

function decodePng(bytes: Uint8Array, limits: PhotoLimits): Rgba {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  checkPng(buffer, limits);
  try {
    const png = PNG.sync.read(buffer);
    return { width: png.width, height: png.height, data: png.data };
  } catch {
    throw new ImageError('corrupt', 'The PNG is damaged or incomplete');
  }
}

export interface NormalizedPhoto {
  jpeg: Buffer;
  width: number;
  height: number;
}

/** JPEG or PNG in, an upright, downscaled, metadata-free JPEG out. Throws ImageError. */
export function normalizePhoto(bytes: Uint8Array, limits: PhotoLimits = defaultPhotoLimits): NormalizedPhoto {
  const type = detectImageType(bytes);
  if (!type) throw new ImageError('unsupported', 'Only JPEG and PNG photos are accepted');
  const { image, orientation } = type === 'jpeg' ? decodeJpeg(bytes, limits) : { image: decodePng(bytes, limits), orientation: 1 };
  if (image.data.length < image.width * image.height * 4) throw new ImageError('corrupt', 'The picture data is incomplete');
  const size = fitWithin(image.width, image.height, limits.maxSide);
  const upright = orient(resizeOpaque(image, size.width, size.height), orientation);
  const encoded = jpeg.encode({ width: upright.width, height: upright.height, data: upright.data }, limits.quality);
  return { jpeg: encoded.data, width: upright.width, height: upright.height };
}

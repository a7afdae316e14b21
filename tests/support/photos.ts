// Test pictures built in memory: JPEGs with a spliced-in EXIF block (orientation, a GPS-like marker
// string) and trailing bytes, PNGs with transparency, and broken or hostile variants.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export const GPS_MARKER = 'GPS-MARKER-27.7254N-106.9272E';

/** RGBA pixels: left half red, right half blue, with a green first row (to see orientation). */
export function pixels(width: number, height: number, alpha = 255): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      const [r, g, b] = y === 0 ? [0, 200, 0] : x < width / 2 ? [220, 20, 20] : [20, 20, 220];
      data[p] = r;
      data[p + 1] = g;
      data[p + 2] = b;
      data[p + 3] = alpha;
    }
  }
  return data;
}

/** A TIFF (big-endian) with IFD0 holding Orientation and an ImageDescription that carries `marker`. */
function exifPayload(orientation: number, marker: string): Buffer {
  const text = Buffer.from(`${marker}\0`, 'latin1');
  const ifdOffset = 8;
  const entries = 2;
  const dataOffset = ifdOffset + 2 + entries * 12 + 4;
  const tiff = Buffer.alloc(dataOffset + text.length);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(ifdOffset, 4);
  tiff.writeUInt16BE(entries, ifdOffset);
  let at = ifdOffset + 2;
  tiff.writeUInt16BE(0x010e, at); // ImageDescription, ASCII
  tiff.writeUInt16BE(2, at + 2);
  tiff.writeUInt32BE(text.length, at + 4);
  tiff.writeUInt32BE(dataOffset, at + 8);
  at += 12;
  tiff.writeUInt16BE(0x0112, at); // Orientation, SHORT
  tiff.writeUInt16BE(3, at + 2);
  tiff.writeUInt32BE(1, at + 4);
  tiff.writeUInt16BE(orientation, at + 8);
  at += 12;
  tiff.writeUInt32BE(0, at); // no next IFD
  text.copy(tiff, dataOffset);
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
}

/**
 * A real JPEG (jpeg-js) with an APP1 Exif segment spliced in right after SOI, and optionally bytes
 * appended after EOI (a polyglot tail).
 */
export function jpegWithExif(width = 64, height = 48, options: { orientation?: number; marker?: string; tail?: string } = {}): Buffer {
  const plain = jpeg.encode({ width, height, data: pixels(width, height) }, 90).data;
  const payload = exifPayload(options.orientation ?? 1, options.marker ?? GPS_MARKER);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([plain.subarray(0, 2), header, payload, plain.subarray(2), Buffer.from(options.tail ?? '', 'latin1')]);
}

export function plainJpeg(width = 32, height = 24): Buffer {
  return jpeg.encode({ width, height, data: pixels(width, height) }, 80).data;
}

export function pngImage(width = 40, height = 30, alpha = 255): Buffer {
  const png = new PNG({ width, height });
  pixels(width, height, alpha).copy(png.data);
  return PNG.sync.write(png);
}

/** A small JPEG whose frame header claims `width`×`height` (a decompression bomb's header). */
export function jpegClaiming(width: number, height: number): Buffer {
  const bytes = Buffer.from(plainJpeg(16, 16));
  for (let i = 2; i < bytes.length - 9; i++) {
    if (bytes[i] === 0xff && (bytes[i + 1] === 0xc0 || bytes[i + 1] === 0xc2)) {
      bytes.writeUInt16BE(height, i + 5);
      bytes.writeUInt16BE(width, i + 7);
      return bytes;
    }
  }
  throw new Error('no SOF marker');
}

/** A PNG whose header claims `width`×`height` (its CRC no longer matches: the size check must come first). */
export function pngClaiming(width: number, height: number): Buffer {
  const bytes = Buffer.from(pngImage(8, 8));
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
}

/** Does `haystack` contain the bytes of `needle`? */
export const containsBytes = (haystack: Buffer, needle: string) => haystack.includes(Buffer.from(needle, 'latin1'));

/** Is there an APP1 (FFE1) segment among the JPEG's header segments? */
export function hasApp1(bytes: Buffer): boolean {
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    if (marker === 0xe1) return true;
    if (marker === 0xda) return false; // start of scan: no more header segments
    at += 2 + bytes.readUInt16BE(at + 2);
  }
  return false;
}

import QRCode from 'qrcode';

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/**
 * A printable QR code as SVG: the code with its quiet zone, then the place name and a short line
 * under it. Drawn from the module matrix (one path, horizontal runs), so it prints sharp at any size.
 */
export function qrCodeSvg(text: string, caption: { title: string; subtitle?: string; footnote?: string }): string {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const { size } = qr.modules;
  const unit = 10;
  const quiet = 4;
  const width = (size + 2 * quiet) * unit;
  let path = '';
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; ) {
      if (!qr.modules.get(row, col)) {
        col++;
        continue;
      }
      let run = 1;
      while (col + run < size && qr.modules.get(row, col + run)) run++;
      path += `M${(col + quiet) * unit} ${(row + quiet) * unit}h${run * unit}v${unit}h-${run * unit}z`;
      col += run;
    }
  }
  // CJK glyphs are about 1 em wide: shrink long names to fit the width.
  const fit = (chars: number, max: number) => Math.max(10, Math.min(max, Math.floor((width * 0.9) / Math.max(1, chars))));
  const titleSize = fit([...caption.title].length, Math.round(width / 11));
  const subtitleSize = caption.subtitle ? fit([...caption.subtitle].length, Math.round(width / 18)) : 0;
  const footSize = caption.footnote ? fit(Math.ceil(caption.footnote.length * 0.6), Math.round(width / 30)) : 0;
  let y = width - quiet * unit * 0.5;
  const lines: string[] = [];
  y += titleSize;
  lines.push(`<text x="${width / 2}" y="${y}" font-size="${titleSize}" font-weight="bold">${escapeXml(caption.title)}</text>`);
  if (caption.subtitle) {
    y += subtitleSize * 1.5;
    lines.push(`<text x="${width / 2}" y="${y}" font-size="${subtitleSize}">${escapeXml(caption.subtitle)}</text>`);
  }
  if (caption.footnote) {
    y += footSize * 1.8;
    lines.push(`<text x="${width / 2}" y="${y}" font-size="${footSize}" font-family="monospace" fill="#555">${escapeXml(caption.footnote)}</text>`);
  }
  const height = Math.ceil(y + quiet * unit);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="80mm" height="${((80 * height) / width).toFixed(1)}mm">`,
    `<title>${escapeXml(caption.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<path d="${path}" fill="#000" shape-rendering="crispEdges"/>`,
    `<g text-anchor="middle" font-family="'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif" fill="#000">`,
    ...lines,
    `</g>`,
    `</svg>`,
  ].join('\n');
}

// The resident QR page must stay tiny on a phone network: at most 150 KB of gzipped JavaScript, and
// none of the console's chunks (antd, Leaflet). Reads the built web/dist (npm test builds it first).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';

const dist = path.resolve(import.meta.dirname, '../../web/dist');
const BUDGET = 150 * 1024;
const built = fs.existsSync(path.join(dist, 'resident.html'));

/** Script URLs an HTML page loads up front: module scripts and modulepreload links. */
function scriptsOf(html: string): string[] {
  const urls = new Set<string>();
  for (const [tag] of html.matchAll(/<script\b[^>]*>/g)) {
    const src = /\bsrc="([^"]+)"/.exec(tag)?.[1];
    if (src) urls.add(src);
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/g)) {
    if (/\brel="modulepreload"/.test(tag)) urls.add(/\bhref="([^"]+)"/.exec(tag)![1]);
  }
  return [...urls];
}

/** Every file a set of entry chunks pulls in, following static and dynamic imports between chunks. */
function closure(entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = entries.map((url) => path.join(dist, url.replace(/^\//, '')));
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = fs.readFileSync(file, 'utf8');
    for (const [, spec] of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'`](\.{1,2}\/[^"'`]+\.js)["'`]/g)) queue.push(path.resolve(path.dirname(file), spec));
  }
  return [...seen];
}

describe.skipIf(!built)('resident page bundle', () => {
  it(`loads at most ${BUDGET / 1024} KB of gzipped JavaScript`, () => {
    const html = fs.readFileSync(path.join(dist, 'resident.html'), 'utf8');
    const entries = scriptsOf(html);
    expect(entries.length).toBeGreaterThan(0);
    const files = closure(entries);
    const sizes = files.map((file) => ({ file: path.relative(dist, file), gzipped: zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length }));
    const total = sizes.reduce((sum, s) => sum + s.gzipped, 0);
    expect(total, `resident page JavaScript: ${JSON.stringify(sizes)}`).toBeLessThanOrEqual(BUDGET);
  });

  it('pulls in none of the console\'s chunks', () => {
    const resident = closure(scriptsOf(fs.readFileSync(path.join(dist, 'resident.html'), 'utf8')));
    const consoleEntry = scriptsOf(fs.readFileSync(path.join(dist, 'index.html'), 'utf8')).filter((url) => /\/console-[^/]+\.js$/.test(url));
    expect(consoleEntry.length).toBe(1);
    const consoleFile = path.join(dist, consoleEntry[0].replace(/^\//, ''));
    expect(resident).not.toContain(consoleFile);
    for (const file of resident) {
      const code = fs.readFileSync(file, 'utf8');
      expect(/anticon|ant-design|leaflet/i.test(code), `${path.relative(dist, file)} carries console code`).toBe(false);
    }
  });
});

describe.runIf(!built)('resident page bundle (not built)', () => {
  it.skip('web/dist/resident.html is missing: run `npx vite build` (npm test builds it first)', () => {});
});

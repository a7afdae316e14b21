/**
 * Summarises a V8 .cpuprofile (node --cpu-prof) into self time per function and per package/file,
 * so a benchmark can say where the server spends its CPU.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

function where(url: string, repoRoot: string): string {
  if (!url) return '(native)';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (file.startsWith('node:')) return file;
  return path.relative(repoRoot, file);
}

export function summariseCpuProfile(file: string, repoRoot: string, top = 20): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const sampleMs = totalMs / Math.max(1, profile.samples.length);
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let idle = 0;
  for (const node of profile.nodes) {
    const ms = (node.hitCount ?? 0) * sampleMs;
    if (!ms) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += ms;
      continue;
    }
    const place = where(url, repoRoot);
    const fn = `${functionName || '(anonymous)'} ${place}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
  }
  const busy = totalMs - idle;
  const fmt = (entries: Map<string, number>) =>
    [...entries.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => `  ${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${name}`)
      .join('\n');
  return [
    `profile ${path.basename(file)}: ${totalMs.toFixed(0)} ms wall, ${busy.toFixed(0)} ms on CPU (${((busy / totalMs) * 100).toFixed(0)}%)`,
    'self time by package / file:',
    fmt(byPlace),
    'self time by function:',
    fmt(byFunction),
  ].join('\n');
}

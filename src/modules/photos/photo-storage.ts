import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config.ts';

/**
 * Photo files live under `${dataDir}/uploads/<2 hex>/<storage key>.jpg`: outside the web root, named only
 * by a random key (never by anything the uploader chose), spread over 256 folders.
 */
const STORAGE_KEY = /^[0-9a-f]{32}$/;

export const newStorageKey = () => crypto.randomBytes(16).toString('hex');

export function photoPath(config: Config, storageKey: string): string {
  if (!STORAGE_KEY.test(storageKey)) throw new Error(`not a storage key: ${storageKey}`);
  return path.join(config.dataDir, 'uploads', storageKey.slice(0, 2), `${storageKey}.jpg`);
}

/** Writes the file completely before it gets its final name, so a reader never sees half a photo. */
export async function storePhoto(config: Config, storageKey: string, bytes: Uint8Array): Promise<void> {
  const file = photoPath(config, storageKey);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o750 });
  const temporary = `${file}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temporary, bytes, { flag: 'wx', mode: 0o640 });
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

export async function readPhotoFile(config: Config, storageKey: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(photoPath(config, storageKey));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export async function removePhotoFile(config: Config, storageKey: string): Promise<void> {
  await fs.rm(photoPath(config, storageKey), { force: true });
}

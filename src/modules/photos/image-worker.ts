import { parentPort } from 'node:worker_threads';
import { ImageError, normalizePhoto, type PhotoLimits } from './image.ts';

/** Worker thread side of ImageProcessor: decoding a phone photo takes ~1 s of CPU, off the request thread. */
export interface ImageJob {
  id: number;
  bytes: Uint8Array;
  limits: PhotoLimits;
}

export type ImageResult =
  | { id: number; ok: true; jpeg: Uint8Array; width: number; height: number }
  | { id: number; ok: false; kind: ImageError['kind']; message: string };

parentPort?.on('message', (job: ImageJob) => {
  let result: ImageResult;
  try {
    const photo = normalizePhoto(job.bytes, job.limits);
    result = { id: job.id, ok: true, jpeg: photo.jpeg, width: photo.width, height: photo.height };
  } catch (error) {
    result = error instanceof ImageError
      ? { id: job.id, ok: false, kind: error.kind, message: error.message }
      : { id: job.id, ok: false, kind: 'corrupt', message: 'The picture could not be read' };
  }
  parentPort!.postMessage(result);
});

import { Worker } from 'node:worker_threads';
import { AppError } from '../../shared/errors.ts';
import { defaultPhotoLimits, ImageError, type NormalizedPhoto, type PhotoLimits } from './image.ts';
import type { ImageJob, ImageResult } from './image-worker.ts';

interface Pending {
  job: ImageJob;
  resolve(photo: NormalizedPhoto): void;
  reject(error: Error): void;
}

/**
 * Runs photo normalisation in one worker thread, one picture at a time, so a burst of uploads costs
 * neither the event loop (SLA reminders must fire on time) nor more than one decoder's memory.
 * One per app (created by the photo routes, closed with the app); the worker starts on first use.
 */
export class ImageProcessor {
  private worker: Worker | null = null;
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly limits: PhotoLimits = defaultPhotoLimits,
    private readonly options: { maxQueue: number; timeoutMs: number } = { maxQueue: 16, timeoutMs: 30_000 },
  ) {}

  normalize(bytes: Uint8Array): Promise<NormalizedPhoto> {
    if (this.closed) return Promise.reject(new Error('image processor closed'));
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new AppError('rate_limited', 'Too many photos are being processed: please try again in a moment', { retryAfterSeconds: 5 }));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, bytes, limits: this.limits }, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error('image processor closed'));
    const worker = this.worker;
    this.worker = null;
    this.fail(new Error('image processor closed'));
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(new URL('./image-worker.mjs', import.meta.url));
    worker.unref();
    worker.on('message', (result: ImageResult) => this.finish(result));
    // A worker that errs or exits is gone: forget it (the next picture starts a new one) and fail the one in hand.
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.fail(error);
    };
    worker.on('error', lost);
    worker.on('exit', () => lost(new Error('image worker stopped')));
    return worker;
  }

  private pump() {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    this.current = next;
    this.worker ??= this.start();
    this.timer = setTimeout(() => {
      // A picture that takes this long is hostile or absurd: stop the worker, a new one serves the rest.
      const worker = this.worker;
      this.worker = null;
      this.fail(new ImageError('too_large', 'The picture took too long to process'));
      void worker?.terminate();
    }, this.options.timeoutMs);
    this.worker.postMessage(next.job);
  }

  private finish(result: ImageResult) {
    const pending = this.current;
    if (!pending || pending.job.id !== result.id) return;
    this.settle();
    if (result.ok) pending.resolve({ jpeg: Buffer.from(result.jpeg), width: result.width, height: result.height });
    else pending.reject(new ImageError(result.kind, result.message));
    this.pump();
  }

  /** The worker died or was stopped: the picture in hand fails; the queue goes on with a new worker. */
  private fail(error: Error) {
    const pending = this.current;
    this.settle();
    pending?.reject(error);
    this.pump();
  }

  private settle() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.current = null;
  }
}

import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the TypeScript module `file` (tsx's loader registered first: workers
 * do not inherit it). Load generators run here so that the local stack's thread, which runs every
 * handler, the emulator and dynalite, does not also pace the load.
 */
export function startWorker(file: URL, workerData: unknown): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** The worker's one result message (it posts exactly one), or its error. */
export function resultOf<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', (message: T) => resolve(message));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited (${code}) without a result`)));
  });
}

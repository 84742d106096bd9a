import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { contentTypeOf, type EmulatorLogger } from '../constants.ts';
import { encodeKey, localS3Client } from '../s3/s3-client.ts';
import { pendingWork } from '../shared/pending-work.ts';
import type { JobEvents } from './mediaconvert-events.ts';
import { CMAF_DIR, ffmpegArgs, runFfmpeg, THUMBNAIL_DIR, TranscodeError } from './mediaconvert-ffmpeg.ts';
import { type Job, outputGroupDetails, statusUpdate } from './mediaconvert-job.ts';
import { finishOutputs, type OutputSummary } from './mediaconvert-outputs.ts';
import { type SourceInfo, sourceInfo, UnreadableSourceError } from './mediaconvert-probe.ts';

export interface JobRunnerOptions {
  /** The S3 stand-in: sources are read from s3rver directly, outputs put through the S3 API. */
  readonly s3: { readonly backend: string; readonly endpoint: string };
  readonly events: JobEvents;
  readonly logger: EmulatorLogger;
  /** STATUS_UPDATE every ~2 s locally (the job asks for 10 s: a short clip would never see one). */
  readonly statusUpdateMs?: number;
}

/**
 * Runs jobs one at a time (the machine has few cores; MediaConvert's queue runs them in
 * parallel), each as MediaConvert would: PROGRESSING, STATUS_UPDATEs while ffmpeg runs, the
 * outputs uploaded to the bucket, then COMPLETE, or ERROR with a code: 1010 when the input cannot
 * be opened, 1999 (the input/transcode range's catch-all) when ffmpeg fails on it, 3999 (the
 * output range's) when an upload fails.
 */
export function createJobRunner(options: JobRunnerOptions) {
  const { events, logger } = options;
  const statusUpdateMs = options.statusUpdateMs ?? 2000;
  const queue: Job[] = [];
  const pending = pendingWork();
  const stop = new AbortController();
  const s3 = localS3Client(options.s3.endpoint);
  let running: Promise<void> | undefined;

  const emit = (job: Job, detail: Parameters<JobEvents['emit']>[2]) =>
    events.emit(job.id, job.userMetadata, detail);

  /** ffmpeg over the source into `workDir`, a STATUS_UPDATE at most every `statusUpdateMs`. */
  async function transcode(
    job: Job,
    source: SourceInfo,
    url: string,
    workDir: string,
  ): Promise<OutputSummary> {
    await mkdir(join(workDir, CMAF_DIR));
    await mkdir(join(workDir, THUMBNAIL_DIR));
    job.phase = 'TRANSCODING';
    job.percent = 0;
    let lastUpdate: number | undefined;
    const progress = (percent: number) => {
      job.percent = Math.min(99, percent);
      if (lastUpdate !== undefined && Date.now() - lastUpdate < statusUpdateMs) return;
      lastUpdate = Date.now();
      emit(job, statusUpdate(job));
    };
    await runFfmpeg(
      ffmpegArgs(job.plan, source, url, workDir),
      source.durationSeconds,
      progress,
      stop.signal,
    );
    if (lastUpdate === undefined) emit(job, statusUpdate(job));
    return finishOutputs(job.plan, workDir);
  }

  function fail(job: Job, err: unknown, phaseCode: number): void {
    job.status = 'ERROR';
    job.finishedAt = Date.now();
    job.errorCode = err instanceof UnreadableSourceError ? 1010 : phaseCode;
    job.errorMessage =
      err instanceof UnreadableSourceError || err instanceof TranscodeError
        ? err.message
        : `${(err as Error).name}: ${(err as Error).message}`;
    logger.error(`MediaConvert job ${job.id} failed (${job.errorCode})`, err);
    emit(job, { status: 'ERROR', errorCode: job.errorCode, errorMessage: job.errorMessage });
  }

  async function run(job: Job): Promise<void> {
    const { plan } = job;
    const workDir = await mkdtemp(join(tmpdir(), 'dreamx-transcode-'));
    job.status = 'PROGRESSING';
    job.phase = 'PROBING';
    job.startedAt = Date.now();
    emit(job, { status: 'PROGRESSING' });
    let phaseCode = 1010;
    try {
      const url = `${options.s3.backend}/${plan.source.bucket}/${encodeKey(plan.source.key)}`;
      const source = await sourceInfo(url, `s3://${plan.source.bucket}/${plan.source.key}`);
      phaseCode = 1999;
      const summary = await transcode(job, source, url, workDir);
      phaseCode = 3999;
      job.phase = 'UPLOADING';
      await upload(s3, summary, plan.cmaf.destination.bucket, stop.signal);
      job.outputGroupDetails = outputGroupDetails(plan, summary);
      job.status = 'COMPLETE';
      job.finishedAt = Date.now();
      emit(job, {
        status: 'COMPLETE',
        outputGroupDetails: job.outputGroupDetails,
        paddingInserted: 0,
        blackVideoDetected: 0,
      });
    } catch (err) {
      if (stop.signal.aborted) return; // the stack is closing: the job just stops
      fail(job, err, phaseCode);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  function next(): void {
    if (running || stop.signal.aborted) return;
    const job = queue.shift();
    if (!job) return;
    running = run(job)
      .catch((err: unknown) => logger.error(`MediaConvert job ${job.id} crashed`, err))
      .finally(() => {
        running = undefined;
        pending.done();
        next();
      });
  }

  let closing: Promise<void> | undefined;
  return {
    submit(job: Job): void {
      pending.add();
      queue.push(job);
      next();
    },
    /** Resolves when no job is queued or running. */
    idle: () => pending.idle(),
    /** Kills the running ffmpeg (its job ends without events), drops queued jobs. Idempotent. */
    close(): Promise<void> {
      closing ??= (async () => {
        stop.abort();
        queue.length = 0;
        await running;
        s3.destroy();
        pending.abandon();
      })();
      return closing;
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;

/** The outputs put to the bucket through the S3 API, four at a time. */
async function upload(s3: S3Client, summary: OutputSummary, bucket: string, signal: AbortSignal) {
  const files = [...summary.files];
  const worker = async () => {
    for (let file = files.shift(); file; file = files.shift()) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: file.key,
          Body: await readFile(file.path),
          ContentType: contentTypeOf(file.key),
        }),
        { abortSignal: signal },
      );
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { EmulatorLogger } from '../constants.ts';
import { encodeKey, localS3Client } from '../s3/s3-client.ts';
import { pendingWork } from '../shared/pending-work.ts';
import { type JobEvents, jobArn, QUEUE_ARN } from './mediaconvert-events.ts';
import { CMAF_DIR, ffmpegArgs, runFfmpeg, THUMBNAIL_DIR, TranscodeError } from './mediaconvert-ffmpeg.ts';
import { contentTypeOf, finishOutputs, type OutputSummary } from './mediaconvert-outputs.ts';
import { sourceInfo, UnreadableSourceError } from './mediaconvert-probe.ts';
import type { TranscodePlan } from './mediaconvert-settings.ts';

export type JobStatus = 'SUBMITTED' | 'PROGRESSING' | 'COMPLETE' | 'ERROR';
type Phase = 'PROBING' | 'TRANSCODING' | 'UPLOADING';

/** A job as CreateJob took it and as it went. */
export interface Job {
  readonly id: string;
  readonly createdAt: number;
  /** The request's wire JSON fields echoed in the job (`role`, `settings`, `userMetadata`...). */
  readonly request: Readonly<Record<string, unknown>>;
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly plan: TranscodePlan;
  status: JobStatus;
  phase?: Phase;
  percent?: number;
  startedAt?: number;
  finishedAt?: number;
  errorCode?: number;
  errorMessage?: string;
  outputGroupDetails?: unknown[];
}

/** MediaConvert's job ids: the submit time in ms, a dash, six base-36 characters. */
export const newJobId = () =>
  `${Date.now()}-${[...randomBytes(6)].map((b) => (b % 36).toString(36)).join('')}`;

/** GetJob's (and CreateJob's) `job`, in wire JSON; timestamps in epoch seconds. */
export function describeJob(job: Job): Record<string, unknown> {
  const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / 1000));
  return {
    ...job.request,
    id: job.id,
    arn: jobArn(job.id),
    queue: QUEUE_ARN,
    createdAt: seconds(job.createdAt),
    status: job.status,
    userMetadata: job.userMetadata,
    priority: 0,
    retryCount: 0,
    accelerationStatus: 'NOT_APPLICABLE',
    timing: {
      submitTime: seconds(job.createdAt),
      startTime: seconds(job.startedAt),
      finishTime: seconds(job.finishedAt),
    },
    ...(job.phase && job.status === 'PROGRESSING' && { currentPhase: job.phase }),
    ...(job.percent !== undefined &&
      job.status === 'PROGRESSING' && { jobPercentComplete: Math.floor(job.percent) }),
    ...(job.errorCode !== undefined && { errorCode: job.errorCode, errorMessage: job.errorMessage }),
    ...(job.outputGroupDetails && { outputGroupDetails: job.outputGroupDetails }),
    messages: { info: [], warning: [] },
  };
}

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

  function statusUpdate(job: Job): void {
    const percent = Math.floor(job.percent ?? 0);
    const phases = ['PROBING', 'TRANSCODING', 'UPLOADING'] as const;
    const at = phases.indexOf(job.phase ?? 'PROBING');
    emit(job, {
      status: 'STATUS_UPDATE',
      jobProgress: {
        phaseProgress: Object.fromEntries(
          phases.map((phase, i) => [
            phase,
            i < at
              ? { status: 'COMPLETE', percentComplete: 100 }
              : i === at
                ? { status: 'PROGRESSING', percentComplete: phase === 'TRANSCODING' ? percent : 0 }
                : { status: 'PENDING', percentComplete: 0 },
          ]),
        ),
        jobPercentComplete: percent,
        currentPhase: job.phase,
        retryCount: 0,
      },
    });
  }

  async function upload(summary: OutputSummary, bucket: string): Promise<void> {
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
          { abortSignal: stop.signal },
        );
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
  }

  function details(job: Job, summary: OutputSummary): unknown[] {
    const { cmaf, thumbnails } = job.plan;
    const s3Url = (bucket: string, key: string) => `s3://${bucket}/${key}`;
    const cmafBase = `${cmaf.destination.prefix}${cmaf.destination.baseName}`;
    const longest = Math.max(0, ...summary.cmafDurationsMs);
    const last = summary.thumbnailKeys.at(-1);
    return [
      {
        type: 'CMAF_GROUP',
        playlistFilePaths: [
          s3Url(cmaf.destination.bucket, `${cmafBase}.mpd`),
          s3Url(cmaf.destination.bucket, `${cmafBase}.m3u8`),
        ],
        outputDetails: [
          ...cmaf.videos.map((video, i) => ({
            durationInMs: summary.cmafDurationsMs[i] ?? 0,
            videoDetails: { widthInPx: video.width, heightInPx: video.height },
          })),
          { durationInMs: summary.cmafDurationsMs.at(-1) ?? 0 },
        ],
      },
      {
        type: 'FILE_GROUP',
        outputDetails: [
          {
            // MediaConvert lists the last frame it captured.
            outputFilePaths: last ? [s3Url(thumbnails.destination.bucket, last)] : [],
            durationInMs: longest,
            videoDetails: { widthInPx: thumbnails.width, heightInPx: thumbnails.height },
          },
        ],
      },
    ];
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
      await mkdir(join(workDir, CMAF_DIR));
      await mkdir(join(workDir, THUMBNAIL_DIR));
      job.phase = 'TRANSCODING';
      job.percent = 0;
      let lastUpdate: number | undefined;
      await runFfmpeg(
        ffmpegArgs(plan, source, url, workDir),
        source.durationSeconds,
        (percent) => {
          job.percent = Math.min(99, percent);
          if (lastUpdate !== undefined && Date.now() - lastUpdate < statusUpdateMs) return;
          lastUpdate = Date.now();
          statusUpdate(job);
        },
        stop.signal,
      );
      if (lastUpdate === undefined) statusUpdate(job);
      const summary = await finishOutputs(plan, workDir);
      phaseCode = 3999;
      job.phase = 'UPLOADING';
      await upload(summary, plan.cmaf.destination.bucket);
      job.outputGroupDetails = details(job, summary);
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
      job.status = 'ERROR';
      job.finishedAt = Date.now();
      job.errorCode = err instanceof UnreadableSourceError ? 1010 : phaseCode;
      job.errorMessage =
        err instanceof UnreadableSourceError || err instanceof TranscodeError
          ? err.message
          : `${(err as Error).name}: ${(err as Error).message}`;
      logger.error(`MediaConvert job ${job.id} failed (${job.errorCode})`, err);
      emit(job, { status: 'ERROR', errorCode: job.errorCode, errorMessage: job.errorMessage });
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

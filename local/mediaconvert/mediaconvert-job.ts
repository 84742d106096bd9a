import { randomBytes } from 'node:crypto';
import { type JobDetail, jobArn, QUEUE_ARN } from './mediaconvert-events.ts';
import type { OutputSummary } from './mediaconvert-outputs.ts';
import type { TranscodePlan } from './mediaconvert-settings.ts';

export type JobStatus = 'SUBMITTED' | 'PROGRESSING' | 'COMPLETE' | 'ERROR';
type Phase = 'PROBING' | 'TRANSCODING' | 'UPLOADING';
const PHASES = ['PROBING', 'TRANSCODING', 'UPLOADING'] as const satisfies readonly Phase[];

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

/** A STATUS_UPDATE event's detail: the phases before the job's complete, its own in progress. */
export function statusUpdate(job: Job): JobDetail {
  const percent = Math.floor(job.percent ?? 0);
  const at = PHASES.indexOf(job.phase ?? 'PROBING');
  return {
    status: 'STATUS_UPDATE',
    jobProgress: {
      phaseProgress: Object.fromEntries(
        PHASES.map((phase, i) => [
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
  };
}

/** The COMPLETE event's (and GetJob's) `outputGroupDetails`: the CMAF group, the thumbnails. */
export function outputGroupDetails(plan: TranscodePlan, summary: OutputSummary): unknown[] {
  const { cmaf, thumbnails } = plan;
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

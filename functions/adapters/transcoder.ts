import {
  CreateJobCommand,
  MediaConvertClient,
  ProbeCommand,
  type ProbeCommandOutput,
} from '@aws-sdk/client-mediaconvert';
import type { JobInput } from '../core/ladder.ts';
import type { ProbedSource, Transcoder } from '../core/ports.ts';
import { recordingJobRequest } from './mediaconvert-job.ts';

/**
 * MediaConvert. Its regional endpoint serves CreateJob and Probe directly (no DescribeEndpoints);
 * the local stack's stand-in answers through `AWS_ENDPOINT_URL_MEDIACONVERT`.
 */
export class MediaConvertTranscoder implements Transcoder {
  constructor(private readonly client: MediaConvertClient = new MediaConvertClient({})) {}

  async probe(fileUrl: string): Promise<ProbedSource> {
    let out: ProbeCommandOutput;
    try {
      out = await this.client.send(new ProbeCommand({ InputFiles: [{ FileUrl: fileUrl }] }));
    } catch (error) {
      // A file Probe cannot parse is the source's fault, not an outage: report it as unreadable.
      if (error instanceof Error && error.name === 'BadRequestException') return {};
      throw error;
    }
    const container = out.ProbeResults?.[0]?.Container;
    const video = container?.Tracks?.find((track) => track.TrackType === 'video')?.VideoProperties;
    if (!video?.Width || !video.Height) return { durationSeconds: container?.Duration };
    // A phone's portrait video is often stored landscape with a rotation: size it as displayed.
    const turned = video.Rotation === 90 || video.Rotation === 270;
    return {
      video: turned
        ? { width: video.Height, height: video.Width }
        : { width: video.Width, height: video.Height },
      durationSeconds: container?.Duration,
    };
  }

  async submit(job: JobInput): Promise<string> {
    const out = await this.client.send(new CreateJobCommand(recordingJobRequest(job)));
    if (!out.Job?.Id) throw new Error('MediaConvert returned no job id');
    return out.Job.Id;
  }
}

import { request as httpRequest } from 'node:http';
import type { EmulatorLogger, HttpResponse } from '../constants.ts';
import type { AsyncInvoker } from '../lambda/async-invoke.ts';
import { encodeKey } from '../s3/s3-client.ts';
import { type AwsRequest, awsError, awsResponse } from '../shared/aws-json.ts';
import { createJobEvents, type EventBridgeSource } from './mediaconvert-events.ts';
import { describeJob, type Job, newJobId } from './mediaconvert-job.ts';
import { probeResult } from './mediaconvert-probe.ts';
import { createJobRunner } from './mediaconvert-runner.ts';
import { parseS3Url, planJob } from './mediaconvert-settings.ts';

export interface MediaConvertOptions {
  /** Where the SDK's endpoint points, `/mediaconvert`. */
  readonly base: string;
  /** The S3 stand-in: its bucket, s3rver itself (reads) and its endpoint (writes). */
  readonly s3: { readonly bucket: string; readonly backend: string; readonly endpoint: string };
  /** The manifest's `eventbridge` sources; job events go to those whose pattern matches. */
  readonly sources: readonly EventBridgeSource[];
  /** Invokes their handlers asynchronously, with Lambda's retries. */
  readonly invoker: AsyncInvoker;
  readonly logger: EmulatorLogger;
  readonly statusUpdateMs?: number;
}

const API = '/2017-08-29';
const bad = (message: string) => awsError(400, 'BadRequestException', { message });
const notFound = (message: string) => awsError(404, 'NotFoundException', { message });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * AWS Elemental MediaConvert's Probe, CreateJob and GetJob as `MediaConvertClient` calls them
 * (restJson1: lowerCamelCase JSON, errors named in `x-amzn-ErrorType` with a `message`), over
 * the local bucket. Jobs run in the background with ffmpeg (mediaconvert-runner.ts) and announce
 * themselves as EventBridge "MediaConvert Job State Change" events.
 */
export function createMediaConvert(options: MediaConvertOptions) {
  const { s3, logger } = options;
  const events = createJobEvents({ sources: options.sources, invoker: options.invoker });
  const runner = createJobRunner({ s3, events, logger, statusUpdateMs: options.statusUpdateMs });
  const jobs = new Map<string, Job>();
  let closed = false;

  /** HEAD of an object on s3rver: the Probe result's `metadata`, or undefined when it is missing. */
  const head = (key: string) =>
    new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
      const req = httpRequest(`${s3.backend}/${s3.bucket}/${encodeKey(key)}`, { method: 'HEAD' }, (res) => {
        res.resume();
        if (res.statusCode !== 200) return resolve(undefined);
        resolve({
          eTag: String(res.headers.etag ?? '').replaceAll('"', ''),
          fileSize: Number(res.headers['content-length'] ?? 0),
          lastModified: Math.floor(Date.parse(String(res.headers['last-modified'] ?? '')) / 1000),
          mimeType: res.headers['content-type'],
        });
      });
      req.on('error', reject);
      req.end();
    });

  async function probe(body: Record<string, unknown>): Promise<HttpResponse> {
    const files = Array.isArray(body.inputFiles) ? (body.inputFiles as unknown[]) : [];
    if (files.length === 0) return bad('/inputFiles: Should have at least 1 item');
    const results = [];
    for (const file of files) {
      const url = isObject(file) && typeof file.fileUrl === 'string' ? file.fileUrl : '';
      const { bucket, key } = parseS3Url(url);
      if (bucket !== s3.bucket || !key) {
        return bad(
          `The local MediaConvert stand-in probes s3://${s3.bucket}/... URLs only, not ${JSON.stringify(url)}`,
        );
      }
      const metadata = await head(key);
      if (!metadata) return bad(`Unable to open input file [${url}]: [The specified key does not exist.]`);
      results.push(await probeResult(`${s3.backend}/${s3.bucket}/${encodeKey(key)}`, metadata));
    }
    return awsResponse(200, { probeResults: results });
  }

  function createJob(body: Record<string, unknown>): HttpResponse {
    if (closed)
      return awsError(503, 'ServiceUnavailableException', { message: 'The local stack is closing' });
    const plan = planJob(body, s3.bucket);
    if (typeof plan === 'string') return bad(plan);
    const { clientRequestToken: _token, ...request } = body;
    const job: Job = {
      id: newJobId(),
      createdAt: Date.now(),
      request: { ...request, statusUpdateInterval: body.statusUpdateInterval ?? 'SECONDS_60' },
      userMetadata: (isObject(body.userMetadata) ? body.userMetadata : {}) as Record<string, string>,
      plan,
      status: 'SUBMITTED',
    };
    jobs.set(job.id, job);
    logger.info(`MediaConvert job ${job.id} submitted (s3://${plan.source.bucket}/${plan.source.key})`);
    const answer = awsResponse(201, { job: describeJob(job) });
    runner.submit(job);
    return answer;
  }

  return {
    /** Requests under this path are the stand-in's. */
    prefix: `${options.base}/`,
    async handle(req: AwsRequest): Promise<HttpResponse> {
      const path = req.path.slice(options.base.length);
      let body: unknown = {};
      try {
        body = req.body?.length ? JSON.parse(req.body.toString('utf8')) : {};
      } catch {
        return bad('The request body is not JSON.');
      }
      if (!isObject(body)) return bad('The request body must be a JSON object.');
      if (req.method === 'POST' && path === `${API}/probe`) return probe(body);
      if (req.method === 'POST' && path === `${API}/jobs`) return createJob(body);
      const id = /^\/2017-08-29\/jobs\/([^/]+)$/.exec(path)?.[1];
      if (req.method === 'GET' && id) {
        const job = jobs.get(decodeURIComponent(id));
        return job ? awsResponse(200, { job: describeJob(job) }) : notFound(`The job ${id} was not found.`);
      }
      // Older SDKs ask for the account's endpoint first; it is this one.
      if (req.method === 'POST' && path === `${API}/endpoints`)
        return awsResponse(200, { endpoints: [{ url: '' }] });
      return bad(
        `The local MediaConvert stand-in serves Probe, CreateJob and GetJob only, not ${req.method} ${path}.`,
      );
    },
    /** Resolves when no job is queued or running and every job event was delivered. */
    async idle(): Promise<void> {
      await runner.idle();
      await events.idle();
    },
    /** Refuses new jobs, stops the running one (no more events for it), drops the queue. */
    async close(): Promise<void> {
      closed = true;
      await runner.close();
      events.abandon();
    },
  };
}

export type LocalMediaConvert = ReturnType<typeof createMediaConvert>;

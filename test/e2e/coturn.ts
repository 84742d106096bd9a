import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** coturn's binary: on PATH, as `.ci/run` checks it, or where Debian's package puts it. */
export const TURNSERVER =
  [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/bin']
    .map((dir) => join(dir, 'turnserver'))
    .find((path) => existsSync(path)) ?? '/usr/bin/turnserver';

export interface Coturn {
  /** The TURN URL for `TURN_SERVER`: UDP on loopback. */
  readonly url: string;
  /** The `use-auth-secret` shared secret, for `TURN_SECRET`. */
  readonly secret: string;
  /** Its last output lines, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export function coturnInstalled(): boolean {
  return existsSync(TURNSERVER);
}

/**
 * Starts coturn on loopback, checking short-lived credentials the way production's does
 * (`use-auth-secret`), and resolves once it answers STUN. No config file (`-n`), so the machine's
 * /etc/turnserver.conf cannot change what is tested; no TLS, TCP or CLI listeners to collide with
 * anything; loopback peers allowed, because every peer here is on this machine, which coturn
 * refuses by default.
 */
export async function startCoturn(timeoutMs = 5_000): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'coturn-'));
  const port = await freeUdpPort();
  // A small relay range at a random place, so parallel runs rarely meet.
  const minPort = 49_152 + Math.floor(Math.random() * 1_000) * 16;
  const secret = randomBytes(24).toString('base64url');
  const lines: string[] = [];
  const child = spawn(
    TURNSERVER,
    [
      '-n',
      `--listening-ip=127.0.0.1`,
      `--relay-ip=127.0.0.1`,
      `--listening-port=${port}`,
      `--min-port=${minPort}`,
      `--max-port=${minPort + 15}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=dreamx.local',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--no-tcp',
      '--allow-loopback-peers',
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      `--db=${join(dir, 'turndb')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer) => lines.push(...String(chunk).split('\n').filter(Boolean));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const log = () => lines.slice(-40).join('\n');
  const stop = async () => {
    await kill(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await untilStunAnswers(port, child, timeoutMs);
  } catch (err) {
    await stop();
    throw new Error(`coturn did not start: ${(err as Error).message}\n${log()}`);
  }
  return { url: `turn:127.0.0.1:${port}?transport=udp`, secret, log, stop };
}

/** Sends STUN binding requests until one is answered: coturn is then accepting allocations. */
async function untilStunAnswers(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const socket = createSocket('udp4');
  // Binding request: type 0x0001, no attributes, the magic cookie, a random transaction id.
  const request = Buffer.concat([Buffer.from([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42]), randomBytes(12)]);
  try {
    await new Promise<void>((resolve, reject) => {
      const probe = setInterval(() => socket.send(request, port, '127.0.0.1'), 50);
      const timer = setTimeout(
        () => finish(new Error(`no STUN answer on port ${port} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const exited = (code: number | null) => finish(new Error(`turnserver exited with ${code}`));
      const finish = (error?: Error) => {
        clearInterval(probe);
        clearTimeout(timer);
        child.off('exit', exited);
        error ? reject(error) : resolve();
      };
      socket.once('message', () => finish());
      child.once('exit', exited);
    });
  } finally {
    socket.close();
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  await exited;
  clearTimeout(timer);
}

function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EmulatorLogger } from '../constants.ts';

/** One schedule as CreateSchedule described it, with its `at()` time resolved. */
export interface Schedule {
  readonly name: string;
  readonly group: string;
  readonly expression: string;
  readonly timezone?: string;
  readonly fireAt: number;
  readonly target: { readonly arn: string; readonly roleArn: string; readonly input?: string };
  readonly flexibleTimeWindow: { readonly Mode: string; readonly MaximumWindowInMinutes?: number };
  readonly state: 'ENABLED' | 'DISABLED';
  readonly actionAfterCompletion: 'NONE' | 'DELETE';
  readonly description?: string;
  readonly createdAt: number;
  /** Ran already and kept (ActionAfterCompletion NONE): its name stays taken until deleted. */
  readonly fired?: boolean;
}

export interface ScheduleStore {
  get(group: string, name: string): Schedule | undefined;
  /** False when the name is taken in the group. */
  add(schedule: Schedule): boolean;
  remove(group: string, name: string): boolean;
  /** Clears every timer and waits for running targets and the last write. */
  close(): Promise<void>;
}

// setTimeout takes at most 2^31-1 ms (24.8 days); longer waits are re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Schedules with a timer each. With `file`, they survive a restart, as on AWS: a schedule that
 * came due while the stack was down fires on start. `fire` runs the target; its failure is
 * logged (Scheduler would retry, then drop or dead-letter it).
 */
export async function createScheduleStore(options: {
  file?: string;
  fire: (schedule: Schedule) => Promise<void>;
  logger: EmulatorLogger;
}): Promise<ScheduleStore> {
  const schedules = new Map<string, Schedule>();
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let writing: Promise<void> = Promise.resolve();
  const key = (group: string, name: string) => `${group}/${name}`;

  const save = () => {
    const { file } = options;
    if (!file) return;
    const text = `${JSON.stringify([...schedules.values()], null, 2)}\n`;
    writing = writing
      .then(async () => {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(`${file}.tmp`, text);
        await rename(`${file}.tmp`, file);
      })
      .catch((err: unknown) => options.logger.error(`Could not save schedules to ${file}`, err));
  };

  const arm = (schedule: Schedule) => {
    if (schedule.fired || schedule.state !== 'ENABLED') return;
    const id = key(schedule.group, schedule.name);
    const wait = Math.max(0, schedule.fireAt - Date.now());
    const timer = setTimeout(
      () => {
        timers.delete(id);
        if (wait > MAX_TIMER_MS) return arm(schedule);
        const run = options
          .fire(schedule)
          .catch((err: unknown) => options.logger.error(`Schedule ${id} failed`, err))
          .finally(() => running.delete(run));
        running.add(run);
        if (schedule.actionAfterCompletion === 'DELETE') schedules.delete(id);
        else schedules.set(id, { ...schedule, fired: true });
        save();
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    timers.set(id, timer);
  };

  if (options.file) {
    const text = await readFile(options.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '[]';
      throw err;
    });
    for (const schedule of parseStored(text, options.file)) {
      schedules.set(key(schedule.group, schedule.name), schedule);
    }
    for (const schedule of schedules.values()) arm(schedule);
  }

  return {
    get: (group, name) => schedules.get(key(group, name)),
    add: (schedule) => {
      const id = key(schedule.group, schedule.name);
      if (schedules.has(id)) return false;
      schedules.set(id, schedule);
      arm(schedule);
      save();
      return true;
    },
    remove: (group, name) => {
      const id = key(group, name);
      clearTimeout(timers.get(id));
      timers.delete(id);
      const existed = schedules.delete(id);
      if (existed) save();
      return existed;
    },
    close: async () => {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
      await writing;
    },
  };
}

function parseStored(text: string, file: string): Schedule[] {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) return value as Schedule[];
  } catch {
    // reported below, with the way out
  }
  throw new Error(`${file} is not a schedules file; delete it to drop the pending schedules`);
}

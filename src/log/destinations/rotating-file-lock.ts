/**
 * One writer per rotating file. Two processes rotating the same file would rename it from under
 * each other (and lose or duplicate files), so the destination takes a lock file next to it,
 * `.app.log.lock`, holding the owner's pid and process start time. A lock whose owner is gone
 * (crash, SIGKILL, a container restart that reuses the pid) is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileInUse, FileNotWritable } from '../errors.js';

export interface FileLock {
  release(): void;
}

/** This process's locks, by lock path. */
const held = new Set<string>();
let exitHook = false;

/** A process's start time (clock ticks since boot) on Linux; '' elsewhere. */
function startTime(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function alive(pid: number, start: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // Same pid but another start time: the pid was reused by an unrelated process.
  return start === '' || startTime(pid) === '' || startTime(pid) === start;
}

export function lockPath(livePath: string): string {
  return path.join(path.dirname(livePath), `.${path.basename(livePath)}.lock`);
}

/** Takes the lock of `livePath` or throws SL_ERR_LOG_FILE_IN_USE naming `field`. */
export function acquireFileLock(livePath: string, field: string): FileLock {
  const lp = lockPath(livePath);
  const me = `${process.pid} ${startTime(process.pid)}\n`;
  for (let attempt = 0; ; attempt++) {
    if (held.has(lp)) throw FileInUse(field, livePath, process.pid);
    try {
      fs.writeFileSync(lp, me, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw FileNotWritable(field, lp, (e as NodeJS.ErrnoException).code ?? String(e));
    }
    let owner = '';
    try {
      owner = fs.readFileSync(lp, 'utf8');
    } catch {
      // removed meanwhile: try again
    }
    const [pidText = '', start = ''] = owner.trim().split(' ');
    const pid = Number(pidText);
    if (owner !== '' && pid !== process.pid && alive(pid, start)) throw FileInUse(field, livePath, pid);
    // A stale lock (or our own pid from a previous life of this container): take it over.
    if (attempt >= 2) throw FileInUse(field, livePath, pid);
    try {
      fs.unlinkSync(lp);
    } catch {
      // another process took it over first; the next attempt will see its lock
    }
  }
  held.add(lp);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const p of held) removeIfOurs(p);
    });
  }
  return {
    release() {
      if (!held.delete(lp)) return;
      removeIfOurs(lp);
    },
  };
}

function removeIfOurs(lp: string): void {
  try {
    if (Number(fs.readFileSync(lp, 'utf8').trim().split(' ')[0]) === process.pid) fs.unlinkSync(lp);
  } catch {
    // already gone
  }
}

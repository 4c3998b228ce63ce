/**
 * The one module that reads /proc, /sys and cgroup files (STYLE.md: runtime-specific code in one
 * place). Everything here is asynchronous (a scrape never blocks the event loop on a file) and
 * never throws: a file that is missing (non-Linux, no cgroup v2, a hardened /proc) or unreadable
 * yields `undefined`, and the metrics built on it are simply absent. The parsing lives in
 * `procfs.ts` so it is tested on sample text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  parseCgroupValue,
  parseCpuMax,
  parseDiskstats,
  parseFlatKeyed,
  parseKeyValueKb,
  parseLoadavg,
  parseMaxOpenFiles,
  parseMountinfo,
  parseNetDev,
  parseProcStat,
  resolveCgroupV2Dir,
  type DiskStats,
  type MountInfo,
  type NetDevStats,
  type ProcStat,
} from './procfs.js';

/** Where the platform reads from; tests point these at fixture directories. */
export interface PlatformPaths {
  /** The procfs mount. Default `/proc`. */
  procRoot?: string;
  /**
   * The process's cgroup v2 directory. Default: discovered from `/proc/self/cgroup` and the
   * cgroup2 mount in `/proc/self/mountinfo`.
   */
  cgroupDir?: string;
  /** With `cgroupDir`: the cgroup2 mount point above it, up to which limits are looked for.
   * Default: `cgroupDir` itself (only its own limits). */
  cgroupRoot?: string;
}

/** Space and inode figures of one mounted file system, from statfs(2). */
export interface FsUsage {
  sizeBytes: number;
  freeBytes: number;
  availableBytes: number;
  files: number;
  filesFree: number;
}

/** The cgroup v2 limits and usage of this process's cgroup. Undefined fields are unknown. */
export interface CgroupStats {
  /** The tightest CPU quota on the path to the root, or undefined when unlimited. */
  cpuQuotaMicros: number | undefined;
  cpuPeriodMicros: number | undefined;
  /** The tightest memory.max on the path to the root; Infinity when every level says `max`. */
  memoryMaxBytes: number | undefined;
  memoryCurrentBytes: number | undefined;
  /** cpu.stat of the process's own cgroup. */
  cpuStat: Map<string, number> | undefined;
}

interface CgroupLocation {
  dir: string;
  root: string;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Reads the Linux files behind the runtime and system metrics.
 * @example
 * const p = new Platform();
 * const load = await p.loadavg(); // [0.5, 0.4, 0.3] on Linux, undefined elsewhere
 */
export class Platform {
  readonly procRoot: string;
  readonly #cgroupOverride: CgroupLocation | undefined;
  #cgroupLocation: Promise<CgroupLocation | undefined> | undefined;

  constructor(paths: PlatformPaths = {}) {
    this.procRoot = paths.procRoot ?? '/proc';
    this.#cgroupOverride = paths.cgroupDir === undefined ? undefined
      : { dir: paths.cgroupDir, root: paths.cgroupRoot ?? paths.cgroupDir };
  }

  #proc(...parts: string[]): string {
    return join(this.procRoot, ...parts);
  }

  async #parsed<T>(parts: string[], parse: (text: string) => T): Promise<T | undefined> {
    const t = await readText(this.#proc(...parts));
    return t === undefined ? undefined : parse(t);
  }

  /**
   * Whether a file under the procfs root exists. Synchronous: used once, when metrics are
   * defined, to decide which to define (so a missing source means an absent metric, not a 0).
   */
  exists(...parts: string[]): boolean {
    return existsSync(this.#proc(...parts));
  }

  /** Whether /proc/self/status can be read (Linux). */
  hasSelfStatus(): boolean {
    return this.exists('self', 'status');
  }

  /** Whether /proc/self/fd and /proc/self/limits can be read (Linux). */
  hasSelfFds(): boolean {
    return this.exists('self', 'fd') && this.exists('self', 'limits');
  }

  /** /proc/stat: per-CPU times, context switches, boot time, running/blocked processes. */
  procStat(): Promise<ProcStat | undefined> {
    return this.#parsed(['stat'], parseProcStat);
  }

  /** /proc/loadavg: 1, 5 and 15 minute load averages. */
  async loadavg(): Promise<[number, number, number] | undefined> {
    return (await this.#parsed(['loadavg'], parseLoadavg)) ?? undefined;
  }

  /** /proc/meminfo, values in bytes. */
  meminfo(): Promise<Map<string, number> | undefined> {
    return this.#parsed(['meminfo'], parseKeyValueKb);
  }

  /** /proc/self/mountinfo. */
  mounts(): Promise<MountInfo[] | undefined> {
    return this.#parsed(['self', 'mountinfo'], parseMountinfo);
  }

  /** statfs(2) of a mount point; undefined when it cannot be queried (gone, no permission). */
  async fsUsage(mountPoint: string): Promise<FsUsage | undefined> {
    try {
      const s = await statfs(mountPoint);
      return {
        sizeBytes: s.blocks * s.bsize,
        freeBytes: s.bfree * s.bsize,
        availableBytes: s.bavail * s.bsize,
        files: s.files,
        filesFree: s.ffree,
      };
    } catch {
      return undefined;
    }
  }

  /** /proc/diskstats. */
  diskstats(): Promise<DiskStats[] | undefined> {
    return this.#parsed(['diskstats'], parseDiskstats);
  }

  /** /proc/net/dev (the network namespace of this process). */
  netDev(): Promise<NetDevStats[] | undefined> {
    return this.#parsed(['net', 'dev'], parseNetDev);
  }

  /** /proc/self/status (VmRSS, VmSize, Threads, …), kB values in bytes. */
  selfStatus(): Promise<Map<string, number> | undefined> {
    return this.#parsed(['self', 'status'], parseKeyValueKb);
  }

  /** The number of open file descriptors of this process, from /proc/self/fd. */
  async openFds(): Promise<number | undefined> {
    try {
      const entries = await readdir(this.#proc('self', 'fd'));
      // Listing the directory holds one descriptor open for the duration of the scan.
      return Math.max(0, entries.length - 1);
    } catch {
      return undefined;
    }
  }

  /** The soft open-files limit from /proc/self/limits (undefined when unlimited or unknown). */
  async maxFds(): Promise<number | undefined> {
    return (await this.#parsed(['self', 'limits'], parseMaxOpenFiles)) ?? undefined;
  }

  /**
   * The process's cgroup v2 directory and the cgroup2 mount point above it: the `0::` path of
   * /proc/self/cgroup resolved against the cgroup2 mount of /proc/self/mountinfo. Discovered
   * once; undefined without cgroup v2.
   */
  cgroupLocation(): Promise<CgroupLocation | undefined> {
    if (this.#cgroupOverride !== undefined) return Promise.resolve(this.#cgroupOverride);
    this.#cgroupLocation ??= this.#discoverCgroup();
    return this.#cgroupLocation;
  }

  async #discoverCgroup(): Promise<CgroupLocation | undefined> {
    const [self, mounts] = await Promise.all([readText(this.#proc('self', 'cgroup')), this.mounts()]);
    return self === undefined || mounts === undefined ? undefined : resolveCgroupV2Dir(self, mounts);
  }

  #readSync(...parts: string[]): string | undefined {
    try {
      return readFileSync(this.#proc(...parts), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** The /proc/meminfo field names present, read synchronously when metrics are defined. */
  meminfoFieldsSync(): Set<string> | undefined {
    const t = this.#readSync('meminfo');
    return t === undefined ? undefined : new Set(parseKeyValueKb(t).keys());
  }

  /**
   * Which cgroup v2 interface files exist for this process (`cpu.max`, `memory.max`,
   * `memory.current`, `cpu.stat`; a limit file counts when any level up to the root has it).
   * Synchronous: used once when metrics are defined. Undefined without cgroup v2.
   */
  cgroupFilesSync(): Set<string> | undefined {
    let where = this.#cgroupOverride;
    if (where === undefined) {
      const self = this.#readSync('self', 'cgroup');
      const mountinfo = this.#readSync('self', 'mountinfo');
      where = self === undefined || mountinfo === undefined ? undefined : resolveCgroupV2Dir(self, parseMountinfo(mountinfo));
      this.#cgroupLocation ??= Promise.resolve(where);
    }
    if (where === undefined || !existsSync(where.dir)) return undefined;
    const files = new Set<string>();
    for (const f of ['memory.current', 'cpu.stat']) if (existsSync(join(where.dir, f))) files.add(f);
    for (let d = where.dir; ; d = dirname(d)) {
      for (const f of ['memory.max', 'cpu.max']) if (existsSync(join(d, f))) files.add(f);
      if (d === where.root || dirname(d) === d || !d.startsWith(where.root)) break;
    }
    return files;
  }

  /**
   * Limits and usage of this process's cgroup v2. Limits are the tightest on the way up to the
   * cgroup root, because a limit set on a parent slice bounds every child (cgroup-v2.rst,
   * "Top-down constraint"). Undefined when there is no cgroup v2 directory or it has none of the
   * files (controllers not enabled).
   */
  async cgroup(): Promise<CgroupStats | undefined> {
    const where = await this.cgroupLocation();
    if (where === undefined) return undefined;
    const { dir, root } = where;
    const [current, cpuStat] = await Promise.all([
      readText(join(dir, 'memory.current')),
      readText(join(dir, 'cpu.stat')),
    ]);
    let memoryMax: number | undefined;
    let cpu: { quotaMicros: number | undefined; periodMicros: number } | undefined;
    for (let d = dir; ; d = dirname(d)) {
      const [memMax, cpuMax] = await Promise.all([readText(join(d, 'memory.max')), readText(join(d, 'cpu.max'))]);
      const m = memMax === undefined ? undefined : parseCgroupValue(memMax);
      if (m !== undefined) memoryMax = memoryMax === undefined ? m : Math.min(memoryMax, m);
      const c = cpuMax === undefined ? undefined : parseCpuMax(cpuMax);
      if (c !== undefined && (cpu === undefined || (c.quotaMicros !== undefined &&
        (cpu.quotaMicros === undefined || c.quotaMicros / c.periodMicros < cpu.quotaMicros / cpu.periodMicros)))) {
        cpu = c;
      }
      if (d === root || dirname(d) === d || !d.startsWith(root)) break;
    }
    const memoryCurrent = current === undefined ? undefined : parseCgroupValue(current);
    const stats: CgroupStats = {
      cpuQuotaMicros: cpu?.quotaMicros,
      cpuPeriodMicros: cpu?.periodMicros,
      memoryMaxBytes: memoryMax,
      memoryCurrentBytes: memoryCurrent === Infinity ? undefined : memoryCurrent,
      cpuStat: cpuStat === undefined ? undefined : parseFlatKeyed(cpuStat),
    };
    const empty = stats.cpuPeriodMicros === undefined && stats.memoryMaxBytes === undefined &&
      stats.memoryCurrentBytes === undefined && stats.cpuStat === undefined;
    return empty ? undefined : stats;
  }
}

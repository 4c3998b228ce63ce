/**
 * Pure parsers for the Linux /proc, /sys and cgroup v2 text files the runtime and system metrics
 * read. They take the file's text and return plain data; none of them touches the file system
 * (`platform.ts` is the one place that reads the files), so each is unit-tested on sample text.
 *
 * Every parser is lenient: a line it does not understand is skipped rather than failing the whole
 * file, because kernels add columns and lines over time (see proc(5)).
 */

/** Seconds per USER_HZ tick. proc(5): /proc/stat counts in USER_HZ, which is 100 on every
 * Linux ABI that Node supports (node_exporter's procfs assumes the same value). */
export const USER_HZ = 100;

/** The sector size /proc/diskstats counts in: always 512 bytes, whatever the device's own
 * sector size (Documentation/admin-guide/iostats.rst). */
export const DISKSTATS_SECTOR_BYTES = 512;

/** CPU time of one CPU in seconds, by mode, from a `cpuN` line of /proc/stat. */
export interface CpuTimes {
  /** The CPU number as it appears after `cpu` (`"0"`, `"1"`, …). */
  cpu: string;
  /** Seconds per mode; only the columns this kernel reports are present. */
  modes: Record<string, number>;
}

/** What /proc/stat says about the machine. */
export interface ProcStat {
  cpus: CpuTimes[];
  contextSwitches: number | undefined;
  bootTime: number | undefined;
  processesCreated: number | undefined;
  procsRunning: number | undefined;
  procsBlocked: number | undefined;
}

// proc(5), /proc/stat: the columns of a cpu line, in order. guest and guest_nice are already
// included in user and nice, so (like node_exporter) they are not reported as modes.
const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

function num(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Parses /proc/stat: per-CPU times (the aggregate `cpu` line is skipped; sum the per-CPU series
 * instead), context switches, boot time, forks and running/blocked process counts.
 */
export function parseProcStat(text: string): ProcStat {
  const out: ProcStat = {
    cpus: [],
    contextSwitches: undefined,
    bootTime: undefined,
    processesCreated: undefined,
    procsRunning: undefined,
    procsBlocked: undefined,
  };
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const key = f[0];
    if (key === undefined || key === '') continue;
    if (key.startsWith('cpu')) {
      const id = key.slice(3);
      if (id === '' || !/^\d+$/.test(id)) continue;
      const modes: Record<string, number> = {};
      for (let i = 0; i < CPU_MODES.length; i++) {
        const ticks = num(f[i + 1]);
        if (ticks !== undefined) modes[CPU_MODES[i]!] = ticks / USER_HZ;
      }
      out.cpus.push({ cpu: id, modes });
    } else if (key === 'ctxt') out.contextSwitches = num(f[1]);
    else if (key === 'btime') out.bootTime = num(f[1]);
    else if (key === 'processes') out.processesCreated = num(f[1]);
    else if (key === 'procs_running') out.procsRunning = num(f[1]);
    else if (key === 'procs_blocked') out.procsBlocked = num(f[1]);
  }
  return out;
}

/** Parses /proc/loadavg into the 1, 5 and 15 minute load averages. */
export function parseLoadavg(text: string): [number, number, number] | undefined {
  const f = text.trim().split(/\s+/);
  const a = num(f[0]);
  const b = num(f[1]);
  const c = num(f[2]);
  return a === undefined || b === undefined || c === undefined ? undefined : [a, b, c];
}

/**
 * Parses a `Key: value [kB]` file (/proc/meminfo, /proc/self/status) into a map. Values with a
 * `kB` unit are converted to bytes (the kernel's "kB" is 1024 bytes); unitless values are kept.
 * Non-numeric values (e.g. `Name: node`) are skipped.
 */
export function parseKeyValueKb(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/);
    const v = num(f[0]);
    if (v === undefined) continue;
    out.set(key, f[1] === 'kB' ? v * 1024 : v);
  }
  return out;
}

/** One line of /proc/self/mountinfo. */
export interface MountInfo {
  mountId: number;
  parentId: number;
  /** `major:minor` of the device. */
  device: string;
  /** The root of the mount within its file system (for cgroup2 in a namespace, often `/`). */
  root: string;
  mountPoint: string;
  mountOptions: string[];
  fsType: string;
  /** The mount source (`/dev/vda`, `tmpfs`, …). */
  source: string;
  superOptions: string[];
}

// proc(5): mountinfo escapes space, tab, newline and backslash as 3-digit octal (\040 …).
function unescapeOctal(s: string): string {
  return s.includes('\\') ? s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))) : s;
}

/**
 * Parses /proc/self/mountinfo (proc(5), "/proc/pid/mountinfo"): ten fields or more, with a
 * variable number of optional fields ended by a lone `-` separator.
 */
export function parseMountinfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (sep < 0 || f.length < sep + 3) continue;
    const mountId = num(f[0]);
    const parentId = num(f[1]);
    if (mountId === undefined || parentId === undefined) continue;
    out.push({
      mountId,
      parentId,
      device: f[2] ?? '',
      root: unescapeOctal(f[3] ?? ''),
      mountPoint: unescapeOctal(f[4] ?? ''),
      mountOptions: (f[5] ?? '').split(','),
      fsType: f[sep + 1] ?? '',
      source: unescapeOctal(f[sep + 2] ?? ''),
      superOptions: (f[sep + 3] ?? '').split(','),
    });
  }
  return out;
}

/** Counters of one block device from /proc/diskstats. Times in seconds, sizes in bytes. */
export interface DiskStats {
  major: number;
  minor: number;
  device: string;
  readsCompleted: number;
  readsMerged: number;
  readBytes: number;
  readTimeSeconds: number;
  writesCompleted: number;
  writesMerged: number;
  writtenBytes: number;
  writeTimeSeconds: number;
  ioNow: number;
  ioTimeSeconds: number;
  ioTimeWeightedSeconds: number;
  /** Present from Linux 4.18. */
  discardsCompleted: number | undefined;
  discardedBytes: number | undefined;
  /** Present from Linux 5.5. */
  flushesCompleted: number | undefined;
}

/** Parses /proc/diskstats (Documentation/admin-guide/iostats.rst, fields 1–17). */
export function parseDiskstats(text: string): DiskStats[] {
  const out: DiskStats[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const n = f.map((x) => Number(x));
    const at = (i: number): number => n[i] ?? 0;
    const major = n[0];
    const minor = n[1];
    const device = f[2];
    if (major === undefined || minor === undefined || device === undefined) continue;
    if (!Number.isFinite(major) || !Number.isFinite(minor)) continue;
    out.push({
      major,
      minor,
      device,
      readsCompleted: at(3),
      readsMerged: at(4),
      readBytes: at(5) * DISKSTATS_SECTOR_BYTES,
      readTimeSeconds: at(6) / 1000,
      writesCompleted: at(7),
      writesMerged: at(8),
      writtenBytes: at(9) * DISKSTATS_SECTOR_BYTES,
      writeTimeSeconds: at(10) / 1000,
      ioNow: at(11),
      ioTimeSeconds: at(12) / 1000,
      ioTimeWeightedSeconds: at(13) / 1000,
      discardsCompleted: f.length >= 18 ? at(14) : undefined,
      discardedBytes: f.length >= 18 ? at(16) * DISKSTATS_SECTOR_BYTES : undefined,
      flushesCompleted: f.length >= 20 ? at(18) : undefined,
    });
  }
  return out;
}

/** Counters of one network interface from /proc/net/dev. */
export interface NetDevStats {
  device: string;
  receiveBytes: number;
  receivePackets: number;
  receiveErrors: number;
  receiveDrops: number;
  transmitBytes: number;
  transmitPackets: number;
  transmitErrors: number;
  transmitDrops: number;
}

/**
 * Parses /proc/net/dev: two header lines, then `iface: 8 receive columns 8 transmit columns`.
 * Old kernels print no space after the colon (`eth0:123`), so the line is split at the colon.
 */
export function parseNetDev(text: string): NetDevStats[] {
  const out: NetDevStats[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const device = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map((x) => Number(x));
    if (device === '' || f.length < 16 || f.some((x) => !Number.isFinite(x))) continue;
    const at = (i: number): number => f[i] ?? 0;
    out.push({
      device,
      receiveBytes: at(0),
      receivePackets: at(1),
      receiveErrors: at(2),
      receiveDrops: at(3),
      transmitBytes: at(8),
      transmitPackets: at(9),
      transmitErrors: at(10),
      transmitDrops: at(11),
    });
  }
  return out;
}

/** The soft limit on open files from /proc/self/limits, or undefined when unlimited or absent. */
export function parseMaxOpenFiles(text: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith('Max open files')) continue;
    const soft = line.slice('Max open files'.length).trim().split(/\s+/)[0];
    return num(soft);
  }
  return undefined;
}

/**
 * The cgroup v2 path of the process from /proc/self/cgroup: the `0::<path>` line
 * (cgroups(7), "/proc/pid/cgroup"). Undefined on a pure cgroup v1 system.
 */
export function parseSelfCgroupV2Path(text: string): string | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('0::')) return line.slice(3).trim() || '/';
  }
  return undefined;
}

/**
 * Where this process's cgroup v2 directory is: its `0::` path resolved against the last cgroup2
 * mount. Inside a cgroup namespace the mount's root is the namespace root and the path is
 * relative to it already (cgroup_namespaces(7)). Undefined without cgroup v2.
 */
export function resolveCgroupV2Dir(selfCgroup: string, mounts: readonly MountInfo[]): { dir: string; root: string } | undefined {
  const path = parseSelfCgroupV2Path(selfCgroup);
  const mount = mounts.findLast((m) => m.fsType === 'cgroup2');
  if (path === undefined || mount === undefined) return undefined;
  const rel = mount.root !== '/' && path.startsWith(mount.root) ? path.slice(mount.root.length) : path;
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
  const base = mount.mountPoint.replace(/\/+$/, '') || '/';
  return { dir: parts.length === 0 ? base : `${base === '/' ? '' : base}/${parts.join('/')}`, root: base };
}

/** cpu.max: `$MAX $PERIOD`, where `$MAX` is `max` for no limit (cgroup-v2.rst, "cpu.max"). */
export function parseCpuMax(text: string): { quotaMicros: number | undefined; periodMicros: number } | undefined {
  const f = text.trim().split(/\s+/);
  const period = num(f[1]);
  if (f[0] === undefined || period === undefined || period <= 0) return undefined;
  if (f[0] === 'max') return { quotaMicros: undefined, periodMicros: period };
  const quota = num(f[0]);
  return quota === undefined ? undefined : { quotaMicros: quota, periodMicros: period };
}

/**
 * A single-value cgroup file such as memory.max or memory.current: a number, or `max` for no
 * limit (returned as Infinity). Undefined when the text is neither.
 */
export function parseCgroupValue(text: string): number | undefined {
  const t = text.trim();
  if (t === 'max') return Infinity;
  return num(t);
}

/** A flat-keyed cgroup file (`key value` lines), e.g. cpu.stat or memory.stat. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const v = num(f[1]);
    if (f[0] !== undefined && f[0] !== '' && v !== undefined) out.set(f[0], v);
  }
  return out;
}

/**
 * Opt-in machine USE metrics (utilization, saturation, errors) under node_exporter's names, so the
 * widely used node_exporter dashboards and alert rules apply unchanged (except memory, whose
 * CamelCase names promtool rejects: those are snake_case here); container limits, which
 * node_exporter does not report, under `cgroup_*`. Everything is read at scrape time through the
 * platform module; a source missing on this machine (non-Linux, no cgroup v2) defines no metric.
 */
import type { Counter } from '../counter.js';
import type { Gauge } from '../gauge.js';
import type { Registry } from '../registry.js';
import { checkOptionKeys, optionKeys } from '../../errors.js';
import { UnknownOption } from '../errors.js';
import { InvalidSystemOption } from './errors.js';
import { Platform, type PlatformPaths } from './platform.js';
import { SeriesSync, setCounter } from './series-sync.js';

/** Options of {@link collectSystemMetrics}. */
export interface SystemMetricsOptions {
  /**
   * File system types whose mounts are not reported (default: pseudo file systems such as proc,
   * sysfs, cgroup, overlay, squashfs; see {@link DEFAULT_FS_TYPES_EXCLUDE}).
   */
  fsTypesExclude?: RegExp;
  /** Mount points not reported (default /dev, /proc, /sys, /run/credentials and container storage). */
  mountPointsExclude?: RegExp;
  /** Block devices not reported (default: partitions, loop, ram and zram devices). */
  diskDevicesExclude?: RegExp;
  /** Network interfaces not reported (default: none). */
  netDevicesExclude?: RegExp;
  /** Where to read from (tests); default the real /proc and the discovered cgroup. */
  paths?: PlatformPaths;
}

const SYSTEM_OPTION_KEYS = optionKeys<SystemMetricsOptions>()(['fsTypesExclude', 'mountPointsExclude', 'diskDevicesExclude', 'netDevicesExclude', 'paths']);

/** What {@link collectSystemMetrics} returns. */
export interface SystemMetricsHandle {
  /** The names of the metrics defined on this machine. */
  readonly names: readonly string[];
  /** Removes the metrics and their collectors. */
  stop(): void;
}

// node_exporter's filesystem collector defaults (collector/filesystem_linux.go), kept so the
// same mounts are reported.
/** File system types skipped by default. */
export const DEFAULT_FS_TYPES_EXCLUDE = /^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$/;
/** Mount points skipped by default. */
export const DEFAULT_MOUNT_POINTS_EXCLUDE = /^\/(dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;
/** Block devices skipped by default (node_exporter's diskstats default: partitions and virtual). */
export const DEFAULT_DISK_DEVICES_EXCLUDE = /^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$/;

// /proc/meminfo field → metric name. node_exporter keeps the kernel's CamelCase
// (node_memory_MemTotal_bytes), which `promtool check metrics` lints as not snake_case; these
// are the same fields in snake_case.
const MEMINFO_FIELDS = [
  ['MemTotal', 'node_memory_mem_total_bytes', 'Total usable RAM (MemTotal).'],
  ['MemFree', 'node_memory_mem_free_bytes', 'RAM left unused (MemFree).'],
  ['MemAvailable', 'node_memory_mem_available_bytes', 'RAM available for starting new applications without swapping (MemAvailable).'],
  ['Buffers', 'node_memory_buffers_bytes', 'Memory in block device buffers (Buffers).'],
  ['Cached', 'node_memory_cached_bytes', 'Memory in the page cache (Cached).'],
  ['SwapTotal', 'node_memory_swap_total_bytes', 'Total swap space (SwapTotal).'],
  ['SwapFree', 'node_memory_swap_free_bytes', 'Unused swap space (SwapFree).'],
] as const;

interface Ctx {
  registry: Registry;
  platform: Platform;
  names: string[];
  stops: (() => void)[];
}

function gauge(ctx: Ctx, name: string, help: string, labelNames?: string[]): Gauge {
  const g = ctx.registry.gauge({ name, help, ...(labelNames === undefined ? {} : { labelNames }), aggregate: 'first' });
  ctx.names.push(name);
  return g;
}

function counter(ctx: Ctx, name: string, help: string, labelNames?: string[]): Counter {
  const c = ctx.registry.counter({ name, help, ...(labelNames === undefined ? {} : { labelNames }), exemplars: false, aggregate: 'first' });
  ctx.names.push(name);
  return c;
}

function collector(ctx: Ctx, name: string, fn: () => Promise<void>): void {
  ctx.stops.push(ctx.registry.registerCollector(fn, { name }));
}

function cpuMetrics(ctx: Ctx): void {
  if (!ctx.platform.exists('stat')) return;
  const cpu = new SeriesSync(counter(ctx, 'node_cpu_seconds_total', 'Seconds the CPUs spent in each mode.', ['cpu', 'mode']));
  const ctxt = counter(ctx, 'node_context_switches_total', 'Total number of context switches.');
  const forks = counter(ctx, 'node_forks_total', 'Total number of forks.');
  const boot = gauge(ctx, 'node_boot_time_seconds', 'Node boot time, in unixtime.');
  const running = gauge(ctx, 'node_procs_running', 'Number of processes in runnable state.');
  const blocked = gauge(ctx, 'node_procs_blocked', 'Number of processes blocked waiting for I/O to complete.');
  collector(ctx, 'node_cpu', async () => {
    const s = await ctx.platform.procStat();
    if (s === undefined) return;
    cpu.update(s.cpus.flatMap((c) => Object.entries(c.modes).map(([mode, v]) => [{ cpu: c.cpu, mode }, v] as const)));
    if (s.contextSwitches !== undefined) setCounter(ctxt, undefined, s.contextSwitches);
    if (s.processesCreated !== undefined) setCounter(forks, undefined, s.processesCreated);
    if (s.bootTime !== undefined) boot.set(s.bootTime);
    if (s.procsRunning !== undefined) running.set(s.procsRunning);
    if (s.procsBlocked !== undefined) blocked.set(s.procsBlocked);
  });
}

function loadMetrics(ctx: Ctx): void {
  if (!ctx.platform.exists('loadavg')) return;
  const g = [
    gauge(ctx, 'node_load1', '1m load average.'),
    gauge(ctx, 'node_load5', '5m load average.'),
    gauge(ctx, 'node_load15', '15m load average.'),
  ];
  collector(ctx, 'node_load', async () => {
    const l = await ctx.platform.loadavg();
    if (l !== undefined) g.forEach((x, i) => x.set(l[i] ?? 0));
  });
}

function memoryMetrics(ctx: Ctx): void {
  const present = ctx.platform.meminfoFieldsSync();
  if (present === undefined) return;
  const gauges = MEMINFO_FIELDS.filter(([f]) => present.has(f)).map(([f, name, help]) => [f, gauge(ctx, name, help)] as const);
  collector(ctx, 'node_memory', async () => {
    const m = await ctx.platform.meminfo();
    if (m === undefined) return;
    for (const [f, g] of gauges) {
      const v = m.get(f);
      if (v !== undefined) g.set(v);
    }
  });
}

function filesystemMetrics(ctx: Ctx, fsTypes: RegExp, mountPoints: RegExp): void {
  if (!ctx.platform.exists('self', 'mountinfo')) return;
  const labels = ['device', 'fstype', 'mountpoint'];
  const size = new SeriesSync(gauge(ctx, 'node_filesystem_size_bytes', 'Filesystem size in bytes.', labels));
  const free = new SeriesSync(gauge(ctx, 'node_filesystem_free_bytes', 'Filesystem free space in bytes.', labels));
  const avail = new SeriesSync(gauge(ctx, 'node_filesystem_avail_bytes', 'Filesystem space available to non-root users in bytes.', labels));
  const files = new SeriesSync(gauge(ctx, 'node_filesystem_files', 'Filesystem total file nodes.', labels));
  const filesFree = new SeriesSync(gauge(ctx, 'node_filesystem_files_free', 'Filesystem total free file nodes.', labels));
  const readonly = new SeriesSync(gauge(ctx, 'node_filesystem_readonly', 'Filesystem read-only status.', labels));
  collector(ctx, 'node_filesystem', async () => {
    const mounts = await ctx.platform.mounts();
    if (mounts === undefined) return;
    // A later mount on the same mount point hides the earlier ones: report only the visible one.
    const visible = new Map<string, (typeof mounts)[number]>();
    for (const m of mounts) {
      if (fsTypes.test(m.fsType) || mountPoints.test(m.mountPoint)) visible.delete(m.mountPoint);
      else visible.set(m.mountPoint, m);
    }
    const rows = await Promise.all([...visible.values()].map(async (m) => ({ m, u: await ctx.platform.fsUsage(m.mountPoint) })));
    const ok = rows.filter((r) => r.u !== undefined && r.u.sizeBytes > 0);
    const l = (r: (typeof ok)[number]): { device: string; fstype: string; mountpoint: string } =>
      ({ device: r.m.source, fstype: r.m.fsType, mountpoint: r.m.mountPoint });
    size.update(ok.map((r) => [l(r), r.u!.sizeBytes] as const));
    free.update(ok.map((r) => [l(r), r.u!.freeBytes] as const));
    avail.update(ok.map((r) => [l(r), r.u!.availableBytes] as const));
    files.update(ok.map((r) => [l(r), r.u!.files] as const));
    filesFree.update(ok.map((r) => [l(r), r.u!.filesFree] as const));
    readonly.update(ok.map((r) => [l(r), r.m.mountOptions.includes('ro') ? 1 : 0] as const));
  });
}

function diskMetrics(ctx: Ctx, exclude: RegExp): void {
  if (!ctx.platform.exists('diskstats')) return;
  const c = (name: string, help: string): SeriesSync => new SeriesSync(counter(ctx, name, help, ['device']));
  const fields = [
    [c('node_disk_reads_completed_total', 'The total number of reads completed successfully.'), 'readsCompleted'],
    [c('node_disk_reads_merged_total', 'The total number of reads merged.'), 'readsMerged'],
    [c('node_disk_read_bytes_total', 'The total number of bytes read successfully.'), 'readBytes'],
    [c('node_disk_read_time_seconds_total', 'The total number of seconds spent by all reads.'), 'readTimeSeconds'],
    [c('node_disk_writes_completed_total', 'The total number of writes completed successfully.'), 'writesCompleted'],
    [c('node_disk_writes_merged_total', 'The number of writes merged.'), 'writesMerged'],
    [c('node_disk_written_bytes_total', 'The total number of bytes written successfully.'), 'writtenBytes'],
    [c('node_disk_write_time_seconds_total', 'This is the total number of seconds spent by all writes.'), 'writeTimeSeconds'],
    [c('node_disk_io_time_seconds_total', 'Total seconds spent doing I/Os.'), 'ioTimeSeconds'],
    [c('node_disk_io_time_weighted_seconds_total', 'The weighted number of seconds spent doing I/Os.'), 'ioTimeWeightedSeconds'],
    [new SeriesSync(gauge(ctx, 'node_disk_io_now', 'The number of I/Os currently in progress.', ['device'])), 'ioNow'],
  ] as const;
  collector(ctx, 'node_disk', async () => {
    const disks = await ctx.platform.diskstats();
    if (disks === undefined) return;
    const shown = disks.filter((d) => !exclude.test(d.device));
    for (const [sync, field] of fields) sync.update(shown.map((d) => [{ device: d.device }, d[field]] as const));
  });
}

function networkMetrics(ctx: Ctx, exclude: RegExp | undefined): void {
  if (!ctx.platform.exists('net', 'dev')) return;
  const c = (name: string, help: string): SeriesSync => new SeriesSync(counter(ctx, name, help, ['device']));
  const fields = [
    [c('node_network_receive_bytes_total', 'Network device statistic receive_bytes.'), 'receiveBytes'],
    [c('node_network_receive_packets_total', 'Network device statistic receive_packets.'), 'receivePackets'],
    [c('node_network_receive_errs_total', 'Network device statistic receive_errs.'), 'receiveErrors'],
    [c('node_network_receive_drop_total', 'Network device statistic receive_drop.'), 'receiveDrops'],
    [c('node_network_transmit_bytes_total', 'Network device statistic transmit_bytes.'), 'transmitBytes'],
    [c('node_network_transmit_packets_total', 'Network device statistic transmit_packets.'), 'transmitPackets'],
    [c('node_network_transmit_errs_total', 'Network device statistic transmit_errs.'), 'transmitErrors'],
    [c('node_network_transmit_drop_total', 'Network device statistic transmit_drop.'), 'transmitDrops'],
  ] as const;
  collector(ctx, 'node_network', async () => {
    const devs = await ctx.platform.netDev();
    if (devs === undefined) return;
    const shown = exclude === undefined ? devs : devs.filter((d) => !exclude.test(d.device));
    for (const [sync, field] of fields) sync.update(shown.map((d) => [{ device: d.device }, d[field]] as const));
  });
}

function cgroupMetrics(ctx: Ctx): void {
  const files = ctx.platform.cgroupFilesSync();
  if (files === undefined) return;
  const collectors: ((s: NonNullable<Awaited<ReturnType<Platform['cgroup']>>>) => void)[] = [];
  if (files.has('cpu.max')) {
    const quota = gauge(ctx, 'cgroup_cpu_quota_seconds', 'CPU time the cgroup may use per period (cpu.max quota), +Inf when unlimited.');
    const period = gauge(ctx, 'cgroup_cpu_period_seconds', 'Length of the cgroup CPU quota period (cpu.max period).');
    const cores = gauge(ctx, 'cgroup_cpu_limit_cores', 'CPU limit of the cgroup in cores (quota / period), +Inf when unlimited.');
    collectors.push((s) => {
      if (s.cpuPeriodMicros === undefined) return;
      period.set(s.cpuPeriodMicros / 1e6);
      quota.set(s.cpuQuotaMicros === undefined ? Infinity : s.cpuQuotaMicros / 1e6);
      cores.set(s.cpuQuotaMicros === undefined ? Infinity : s.cpuQuotaMicros / s.cpuPeriodMicros);
    });
  }
  if (files.has('memory.max')) {
    const limit = gauge(ctx, 'cgroup_memory_limit_bytes', 'Memory limit of the cgroup (the tightest memory.max up to the root), +Inf when unlimited.');
    collectors.push((s) => {
      if (s.memoryMaxBytes !== undefined) limit.set(s.memoryMaxBytes);
    });
  }
  if (files.has('memory.current')) {
    const usage = gauge(ctx, 'cgroup_memory_usage_bytes', 'Memory used by the cgroup (memory.current).');
    collectors.push((s) => {
      if (s.memoryCurrentBytes !== undefined) usage.set(s.memoryCurrentBytes);
    });
  }
  if (files.has('cpu.stat')) {
    const usage = counter(ctx, 'cgroup_cpu_usage_seconds_total', 'CPU time consumed by the cgroup (cpu.stat usage_usec).');
    const periods = counter(ctx, 'cgroup_cpu_periods_total', 'Enforcement periods elapsed with the cgroup runnable (cpu.stat nr_periods).');
    const throttled = counter(ctx, 'cgroup_cpu_throttled_periods_total', 'Periods in which the cgroup was throttled (cpu.stat nr_throttled).');
    const throttledTime = counter(ctx, 'cgroup_cpu_throttled_seconds_total', 'Time the cgroup was throttled (cpu.stat throttled_usec).');
    collectors.push((s) => {
      const st = s.cpuStat;
      if (st === undefined) return;
      const u = st.get('usage_usec');
      if (u !== undefined) setCounter(usage, undefined, u / 1e6);
      // nr_periods and the throttling counters exist only with the cpu controller enabled.
      const p = st.get('nr_periods');
      if (p !== undefined) setCounter(periods, undefined, p);
      const t = st.get('nr_throttled');
      if (t !== undefined) setCounter(throttled, undefined, t);
      const tu = st.get('throttled_usec');
      if (tu !== undefined) setCounter(throttledTime, undefined, tu / 1e6);
    });
  }
  if (collectors.length === 0) return;
  collector(ctx, 'cgroup', async () => {
    const s = await ctx.platform.cgroup();
    if (s !== undefined) for (const c of collectors) c(s);
  });
}

function regexOption(v: unknown, field: string, fallback: RegExp | undefined): RegExp | undefined {
  if (v === undefined) return fallback;
  if (!(v instanceof RegExp)) throw InvalidSystemOption(field, `${field} must be a RegExp`);
  // A global or sticky RegExp keeps state between test() calls and would skip every other match.
  return v.global || v.sticky ? new RegExp(v.source, v.flags.replace(/[gy]/g, '')) : v;
}

/**
 * Defines the machine metrics on `registry`: CPU seconds by mode, context switches, load
 * averages, memory, file system usage per mount, disk I/O, network traffic and errors per
 * interface (node_exporter names), and cgroup v2 limits and usage (`cgroup_*`). Linux only:
 * elsewhere, and for any source this machine lacks, the metrics are not defined. Opt-in: run it
 * in one process per host (or per container) to avoid duplicate series.
 * @example
 * import { Registry, collectSystemMetrics } from 'sightline/metrics';
 * const registry = new Registry();
 * const system = collectSystemMetrics(registry, { netDevicesExclude: /^(lo|veth.*)$/ });
 */
export function collectSystemMetrics(registry: Registry, options: SystemMetricsOptions = {}): SystemMetricsHandle {
  if (typeof options !== 'object' || options === null) throw InvalidSystemOption(undefined, 'options must be an object');
  checkOptionKeys(options, SYSTEM_OPTION_KEYS, UnknownOption, 'collectSystemMetrics()');
  const fsTypes = regexOption(options.fsTypesExclude, 'fsTypesExclude', DEFAULT_FS_TYPES_EXCLUDE)!;
  const mountPoints = regexOption(options.mountPointsExclude, 'mountPointsExclude', DEFAULT_MOUNT_POINTS_EXCLUDE)!;
  const disks = regexOption(options.diskDevicesExclude, 'diskDevicesExclude', DEFAULT_DISK_DEVICES_EXCLUDE)!;
  const nets = regexOption(options.netDevicesExclude, 'netDevicesExclude', undefined);
  if (options.paths !== undefined && (typeof options.paths !== 'object' || options.paths === null)) {
    throw InvalidSystemOption('paths', 'paths must be an object');
  }
  const ctx: Ctx = { registry, platform: new Platform(options.paths), names: [], stops: [] };
  const stop = (): void => {
    for (const s of ctx.stops.splice(0)) s();
    for (const n of ctx.names.splice(0)) registry.unregister(n);
  };
  try {
    cpuMetrics(ctx);
    loadMetrics(ctx);
    memoryMetrics(ctx);
    filesystemMetrics(ctx, fsTypes, mountPoints);
    diskMetrics(ctx, disks);
    networkMetrics(ctx, nets);
    cgroupMetrics(ctx);
  } catch (e) {
    stop();
    throw e;
  }
  return { names: Object.freeze([...ctx.names]), stop };
}

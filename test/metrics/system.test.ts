// Opt-in system (USE) metrics: exact values from fixture /proc and cgroup trees, this machine's
// real files, absent sources, vanishing series, and promtool on default + system metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectDefaultMetrics, collectSystemMetrics } from 'sightline/metrics';
import { promtoolCheckMetrics, requireBinary } from '../support/prometheus.js';
import { errorCode, numericSamples, quiet } from '../support/metrics.js';

const isLinux = process.platform === 'linux';

function value(s: Map<string, number>, key: string): number {
  const v = s.get(key);
  assert.ok(v !== undefined, `no sample ${key}`);
  return v;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sl-system-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function files(root: string, tree: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(tree)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

const NET_DEV = (eth0: string): string => `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0
${eth0}`;

test('fixture /proc and cgroup: exact values under node_exporter and cgroup_* names', async () => {
  await withDir(async (dir) => {
    const proc = join(dir, 'proc');
    const cg = join(dir, 'cgroup');
    await files(proc, {
      'stat': 'cpu  300 0 100 1000 0 0 0 0 0 0\ncpu0 150 5 50 500 7 1 2 3 0 0\ncpu1 150 0 50 500 0 0 0 0 0 0\nctxt 4242\nbtime 1700000000\nprocesses 77\nprocs_running 2\nprocs_blocked 1\n',
      'loadavg': '0.25 0.50 1.75 2/300 999\n',
      'meminfo': 'MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    600 kB\nBuffers:          10 kB\nCached:          300 kB\nSwapTotal:         0 kB\nSwapFree:          0 kB\n',
      // A real mount point ("/") so statfs answers; proc and a /sys mount must be skipped.
      'self/mountinfo': '27 1 254:0 / / rw,relatime - ext4 /dev/fixture rw\n22 27 0:21 / /proc rw - proc proc rw\n23 27 0:22 / /sys rw - sysfs sysfs rw\n',
      'diskstats': '   7       0 loop0 1 0 2 0 0 0 0 0 0 0 0\n 254       0 vda 100 5 2000 300 50 4 1000 200 1 400 500\n 254       1 vda1 1 1 1 1 1 1 1 1 0 1 1\n',
      'net/dev': NET_DEV('  eth0: 5000      40    1    2    0     0          0         0     7000      30    3    4    0     0       0          0\n'),
    });
    await files(cg, {
      'memory.max': '536870912\n',
      'memory.current': '134217728\n',
      'cpu.max': '50000 100000\n',
      'cpu.stat': 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 40\nnr_throttled 3\nthrottled_usec 120000\n',
    });
    const registry = quiet();
    const h = collectSystemMetrics(registry, { paths: { procRoot: proc, cgroupDir: cg } });
    try {
      const s = numericSamples(await registry.render('text'));
      assert.equal(value(s, 'node_cpu_seconds_total{cpu="0",mode="user"}'), 1.5);
      assert.equal(value(s, 'node_cpu_seconds_total{cpu="0",mode="nice"}'), 0.05);
      assert.equal(value(s, 'node_cpu_seconds_total{cpu="0",mode="iowait"}'), 0.07);
      assert.equal(value(s, 'node_cpu_seconds_total{cpu="0",mode="steal"}'), 0.03);
      assert.equal(value(s, 'node_cpu_seconds_total{cpu="1",mode="idle"}'), 5);
      assert.equal(s.has('node_cpu_seconds_total{cpu="",mode="user"}'), false, 'the aggregate line is no CPU');
      assert.equal([...s.keys()].filter((k) => k.startsWith('node_cpu_seconds_total')).length, 16);
      assert.equal(value(s, 'node_context_switches_total'), 4242);
      assert.equal(value(s, 'node_forks_total'), 77);
      assert.equal(value(s, 'node_boot_time_seconds'), 1700000000);
      assert.equal(value(s, 'node_procs_running'), 2);
      assert.equal(value(s, 'node_procs_blocked'), 1);
      assert.equal(value(s, 'node_load1'), 0.25);
      assert.equal(value(s, 'node_load5'), 0.5);
      assert.equal(value(s, 'node_load15'), 1.75);
      assert.equal(value(s, 'node_memory_mem_total_bytes'), 1024000);
      assert.equal(value(s, 'node_memory_mem_available_bytes'), 614400);
      assert.equal(value(s, 'node_memory_swap_total_bytes'), 0);

      const root = statfsSync('/');
      const fsLabels = '{device="/dev/fixture",fstype="ext4",mountpoint="/"}';
      assert.equal(value(s, `node_filesystem_size_bytes${fsLabels}`), root.blocks * root.bsize);
      assert.equal(value(s, `node_filesystem_files${fsLabels}`), root.files);
      assert.equal(value(s, `node_filesystem_readonly${fsLabels}`), 0);
      assert.ok(value(s, `node_filesystem_avail_bytes${fsLabels}`) <= value(s, `node_filesystem_free_bytes${fsLabels}`));
      assert.equal([...s.keys()].filter((k) => k.startsWith('node_filesystem_size_bytes')).length, 1, 'proc and /sys are skipped');

      assert.equal(value(s, 'node_disk_reads_completed_total{device="vda"}'), 100);
      assert.equal(value(s, 'node_disk_read_bytes_total{device="vda"}'), 2000 * 512);
      assert.equal(value(s, 'node_disk_read_time_seconds_total{device="vda"}'), 0.3);
      assert.equal(value(s, 'node_disk_written_bytes_total{device="vda"}'), 1000 * 512);
      assert.equal(value(s, 'node_disk_io_now{device="vda"}'), 1);
      assert.equal(value(s, 'node_disk_io_time_weighted_seconds_total{device="vda"}'), 0.5);
      assert.equal(s.has('node_disk_reads_completed_total{device="vda1"}'), false, 'partitions are skipped');
      assert.equal(s.has('node_disk_reads_completed_total{device="loop0"}'), false, 'loop devices are skipped');

      assert.equal(value(s, 'node_network_receive_bytes_total{device="eth0"}'), 5000);
      assert.equal(value(s, 'node_network_receive_errs_total{device="eth0"}'), 1);
      assert.equal(value(s, 'node_network_receive_drop_total{device="eth0"}'), 2);
      assert.equal(value(s, 'node_network_transmit_bytes_total{device="eth0"}'), 7000);
      assert.equal(value(s, 'node_network_transmit_errs_total{device="eth0"}'), 3);
      assert.equal(value(s, 'node_network_transmit_drop_total{device="eth0"}'), 4);
      assert.equal(value(s, 'node_network_receive_packets_total{device="lo"}'), 10);

      assert.equal(value(s, 'cgroup_cpu_quota_seconds'), 0.05);
      assert.equal(value(s, 'cgroup_cpu_period_seconds'), 0.1);
      assert.equal(value(s, 'cgroup_cpu_limit_cores'), 0.5);
      assert.equal(value(s, 'cgroup_memory_limit_bytes'), 536870912);
      assert.equal(value(s, 'cgroup_memory_usage_bytes'), 134217728);
      assert.equal(value(s, 'cgroup_cpu_usage_seconds_total'), 2.5);
      assert.equal(value(s, 'cgroup_cpu_periods_total'), 40);
      assert.equal(value(s, 'cgroup_cpu_throttled_periods_total'), 3);
      assert.equal(value(s, 'cgroup_cpu_throttled_seconds_total'), 0.12);

      // Unlimited cgroup: the limits render as +Inf (usage / limit is then 0), not as 0 or absent.
      await writeFile(join(cg, 'memory.max'), 'max\n');
      await writeFile(join(cg, 'cpu.max'), 'max 100000\n');
      const text = await registry.render('text');
      assert.match(text, /^cgroup_memory_limit_bytes \+Inf$/m);
      assert.match(text, /^cgroup_cpu_limit_cores \+Inf$/m);
      assert.match(text, /^cgroup_cpu_quota_seconds \+Inf$/m);
    } finally {
      h.stop();
    }
    assert.equal(await registry.render('text'), '', 'stop() removes every system metric');
  });
});

test('vanished interfaces lose their series; a counter that drops starts over', async () => {
  await withDir(async (proc) => {
    await files(proc, { 'net/dev': NET_DEV('  eth0: 5000 40 1 2 0 0 0 0 7000 30 3 4 0 0 0 0\n  eth1: 9 9 9 9 0 0 0 0 9 9 9 9 0 0 0 0\n') });
    const registry = quiet();
    const h = collectSystemMetrics(registry, { paths: { procRoot: proc } });
    try {
      assert.deepEqual(h.names.filter((n) => !n.startsWith('node_network_')), [], 'only the sources present are defined');
      let s = numericSamples(await registry.render('text'));
      assert.equal(value(s, 'node_network_receive_bytes_total{device="eth1"}'), 9);
      // eth1 removed, eth0 re-created with smaller counters.
      await files(proc, { 'net/dev': NET_DEV('  eth0: 100 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0\n') });
      s = numericSamples(await registry.render('text'));
      assert.equal(s.has('node_network_receive_bytes_total{device="eth1"}'), false);
      assert.equal(value(s, 'node_network_receive_bytes_total{device="eth0"}'), 100);
      await files(proc, { 'net/dev': NET_DEV('  eth0: 350 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0\n') });
      s = numericSamples(await registry.render('text'));
      assert.equal(value(s, 'node_network_receive_bytes_total{device="eth0"}'), 350);
    } finally {
      h.stop();
    }
  });
});

test('no /proc and no cgroup v2: no metric defined, nothing thrown', async () => {
  await withDir(async (dir) => {
    const registry = quiet();
    const h = collectSystemMetrics(registry, { paths: { procRoot: dir, cgroupDir: join(dir, 'no-cgroup') } });
    assert.deepEqual(h.names, []);
    assert.equal(await registry.render('text'), '');
    h.stop();
  });
});

test('a source that disappears after start keeps its last values and never throws', async () => {
  await withDir(async (proc) => {
    await files(proc, { 'loadavg': '1 2 3 1/1 1\n' });
    const registry = quiet();
    const h = collectSystemMetrics(registry, { paths: { procRoot: proc } });
    try {
      assert.equal(value(numericSamples(await registry.render('text')), 'node_load15'), 3);
      await rm(join(proc, 'loadavg'));
      const text = await registry.render('text');
      assert.equal(value(numericSamples(text), 'node_load15'), 3);
      assert.doesNotMatch(text, /collect_errors/);
    } finally {
      h.stop();
    }
  });
});

test('options are validated with coded errors', () => {
  assert.equal(errorCode(() => collectSystemMetrics(quiet(), { fsTypesExclude: 'tmpfs' as unknown as RegExp })), 'SL_ERR_METRICS_SYSTEM_OPTION');
  assert.equal(errorCode(() => collectSystemMetrics(quiet(), { paths: 3 as unknown as object })), 'SL_ERR_METRICS_SYSTEM_OPTION');
  assert.equal(errorCode(() => collectSystemMetrics(quiet(), null as unknown as object)), 'SL_ERR_METRICS_SYSTEM_OPTION');
});

test('this machine: real /proc files behind the system metrics', { skip: !isLinux && 'not Linux' }, async () => {
  const registry = quiet();
  const h = collectSystemMetrics(registry, { netDevicesExclude: /^ifb\d+$/g });
  try {
    // Disk counters only grow: read them before and after the metric, which must lie between.
    const vdaReads = (): number | undefined => {
      const m = /^\s*\d+\s+\d+\s+vda\s+(\d+)/m.exec(readFileSync('/proc/diskstats', 'utf8'));
      return m === null ? undefined : Number(m[1]);
    };
    const readsBefore = vdaReads();
    const text = await registry.render('text');
    const readsAfter = vdaReads();
    const s = numericSamples(text);
    const cpus = readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d+ /.test(l)).length;
    assert.equal([...s.keys()].filter((k) => /^node_cpu_seconds_total\{cpu="\d+",mode="idle"\}$/.test(k)).length, cpus);
    const memTotal = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) * 1024;
    assert.equal(value(s, 'node_memory_mem_total_bytes'), memTotal);
    assert.ok(value(s, 'node_load1') >= 0);
    // The root file system is reported with statfs' figures; pseudo file systems are not.
    const rootKey = [...s.keys()].find((k) => k.startsWith('node_filesystem_size_bytes{') && k.includes('mountpoint="/"'));
    assert.ok(rootKey !== undefined, 'no root file system');
    const st = statfsSync('/');
    assert.equal(s.get(rootKey), st.blocks * st.bsize);
    assert.doesNotMatch(text, /fstype="(proc|sysfs|cgroup2?|devpts|devtmpfs|mqueue)"/);
    assert.doesNotMatch(text, /mountpoint="\/(proc|sys|dev)(\/[^"]*)?"/);
    assert.ok(s.has('node_network_receive_bytes_total{device="lo"}'));
    assert.doesNotMatch(text, /device="ifb\d+"/, 'a global RegExp option still excludes every match');
    assert.doesNotMatch(text, /node_disk_[a-z_]+\{device="loop\d+"\}/);
    if (readsBefore !== undefined && readsAfter !== undefined) {
      const reads = value(s, 'node_disk_reads_completed_total{device="vda"}');
      assert.ok(readsBefore <= reads && reads <= readsAfter, `${readsBefore} <= ${reads} <= ${readsAfter}`);
    }
    // cgroup v2 metrics exist exactly when this process has a cgroup v2 directory with the files.
    const hasV2 = /^0::/m.test(readFileSync('/proc/self/cgroup', 'utf8'));
    if (!hasV2) assert.doesNotMatch(text, /^cgroup_/m);
  } finally {
    h.stop();
  }
});

test('promtool: default + system metrics together pass check metrics with no lint warning', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus');
  if (promtool === undefined) return;
  await withDir(async (cg) => {
    await files(cg, { 'memory.max': 'max\n', 'memory.current': '1\n', 'cpu.max': '50000 100000\n', 'cpu.stat': 'usage_usec 1\nnr_periods 1\nnr_throttled 0\nthrottled_usec 0\n' });
    const registry = quiet();
    const runtime = collectDefaultMetrics(registry);
    // This machine's real /proc; a fixture cgroup so the cgroup_* families are checked too.
    const system = collectSystemMetrics(registry, { paths: { cgroupDir: cg } });
    try {
      const text = await registry.render('text');
      assert.match(text, /^node_cpu_seconds_total\{/m);
      assert.match(text, /^cgroup_memory_limit_bytes \+Inf$/m);
      assert.match(text, /^process_cpu_seconds_total /m);
      const r = await promtoolCheckMetrics(text, promtool);
      assert.equal(r.code, 0, r.output);
      assert.equal(r.output.trim(), '', r.output);
    } finally {
      system.stop();
      runtime.stop();
    }
  });
});

// The /proc, /sys and cgroup parsers on sample texts (kernel documentation formats), and the
// platform reader on this machine's real files and on fixture directories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
// Internal modules: the parsers are not public API, so they are tested from their files.
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
  parseSelfCgroupV2Path,
} from '../../src/metrics/system/procfs.js';
import { Platform } from '../../src/metrics/system/platform.js';

const isLinux = process.platform === 'linux';

const PROC_STAT = `cpu  10132153 290696 3084719 46828483 16683 0 25195 0 0 0
cpu0 1393280 32966 572056 13343292 6130 0 17875 0 0 0
cpu1 1335551 30011 488405 11112640 4207 0 3024 7 0 0
intr 1462898 0 0 0
ctxt 1990473
btime 1062191376
processes 2915
procs_running 3
procs_blocked 1
softirq 183433 0 21755 12 39 1137 231 21459 2263
`;

test('parseProcStat: per-CPU seconds by mode, counters and gauges', () => {
  const s = parseProcStat(PROC_STAT);
  assert.equal(s.cpus.length, 2, 'the aggregate cpu line is not a CPU');
  assert.deepEqual(s.cpus[0], {
    cpu: '0',
    modes: { user: 13932.8, nice: 329.66, system: 5720.56, idle: 133432.92, iowait: 61.3, irq: 0, softirq: 178.75, steal: 0 },
  });
  assert.equal(s.cpus[1]?.cpu, '1');
  assert.equal(s.cpus[1]?.modes['steal'], 0.07);
  assert.equal(s.contextSwitches, 1990473);
  assert.equal(s.bootTime, 1062191376);
  assert.equal(s.processesCreated, 2915);
  assert.equal(s.procsRunning, 3);
  assert.equal(s.procsBlocked, 1);
});

test('parseProcStat: an old kernel with four CPU columns reports only those modes', () => {
  const s = parseProcStat('cpu0 100 200 300 400\n');
  assert.deepEqual(s.cpus[0]?.modes, { user: 1, nice: 2, system: 3, idle: 4 });
  assert.equal(s.contextSwitches, undefined);
});

test('parseLoadavg', () => {
  assert.deepEqual(parseLoadavg('0.52 0.58 0.59 1/467 12345\n'), [0.52, 0.58, 0.59]);
  assert.equal(parseLoadavg('garbage'), undefined);
  assert.equal(parseLoadavg(''), undefined);
});

test('parseKeyValueKb: /proc/meminfo in bytes, unitless values kept', () => {
  const m = parseKeyValueKb(`MemTotal:       16314504 kB
MemFree:          812340 kB
MemAvailable:    9876543 kB
Active(anon):     123 kB
HugePages_Total:       7
Hugepagesize:       2048 kB
`);
  assert.equal(m.get('MemTotal'), 16314504 * 1024);
  assert.equal(m.get('MemAvailable'), 9876543 * 1024);
  assert.equal(m.get('Active(anon)'), 123 * 1024);
  assert.equal(m.get('HugePages_Total'), 7);
});

test('parseKeyValueKb: /proc/self/status threads and memory, text fields skipped', () => {
  const m = parseKeyValueKb('Name:\tnode\nState:\tS (sleeping)\nVmSize:\t  1049064 kB\nVmRSS:\t   52340 kB\nThreads:\t11\n');
  assert.equal(m.get('VmRSS'), 52340 * 1024);
  assert.equal(m.get('VmSize'), 1049064 * 1024);
  assert.equal(m.get('Threads'), 11);
  assert.equal(m.has('Name'), false);
  assert.equal(m.has('State'), false);
});

test('parseMountinfo: optional fields, separator and octal escapes', () => {
  const text = [
    '36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
    '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 master:2 - cgroup2 cgroup2 rw',
    '50 27 8:1 / /media/my\\040disk\\134x ro,relatime - vfat /dev/sdb1 ro',
    'garbage line',
    '',
  ].join('\n');
  const m = parseMountinfo(text);
  assert.equal(m.length, 4);
  assert.deepEqual(m[0], {
    mountId: 36, parentId: 35, device: '98:0', root: '/mnt1', mountPoint: '/mnt2',
    mountOptions: ['rw', 'noatime'], fsType: 'ext3', source: '/dev/root', superOptions: ['rw', 'errors=continue'],
  });
  assert.equal(m[2]?.fsType, 'cgroup2');
  assert.equal(m[2]?.mountPoint, '/sys/fs/cgroup/unified');
  assert.equal(m[3]?.mountPoint, '/media/my disk\\x');
  assert.deepEqual(m[3]?.mountOptions, ['ro', 'relatime']);
});

test('parseMountinfo: any mount point survives the kernel escaping (property)', () => {
  const escape = (s: string): string => s.replace(/[ \t\n\\]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));
  fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 40 }), (name) => {
    const mp = '/' + name;
    const [m] = parseMountinfo(`10 1 8:1 / ${escape(mp)} rw - ext4 /dev/sda1 rw\n`);
    assert.equal(m?.mountPoint, mp);
  }));
});

test('parseDiskstats: 14, 18 and 20 field kernels, bytes and seconds', () => {
  const d = parseDiskstats([
    '   8       0 sda 39224 7256 2221050 18871 30459 21847 2684328 9677 2 7496 29348',
    ' 254       0 vda 39224 7256 2221050 18871 30459 21847 2684328 9677 0 7496 29348 9999 33 768848 548',
    ' 259       0 nvme0n1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17',
    'short line 1 2',
  ].join('\n'));
  assert.equal(d.length, 3);
  assert.deepEqual(d[0], {
    major: 8, minor: 0, device: 'sda', readsCompleted: 39224, readsMerged: 7256, readBytes: 2221050 * 512,
    readTimeSeconds: 18.871, writesCompleted: 30459, writesMerged: 21847, writtenBytes: 2684328 * 512,
    writeTimeSeconds: 9.677, ioNow: 2, ioTimeSeconds: 7.496, ioTimeWeightedSeconds: 29.348,
    discardsCompleted: undefined, discardedBytes: undefined, flushesCompleted: undefined,
  });
  assert.equal(d[1]?.discardsCompleted, 9999);
  assert.equal(d[1]?.discardedBytes, 768848 * 512);
  assert.equal(d[1]?.flushesCompleted, undefined);
  assert.equal(d[2]?.flushesCompleted, 16);
});

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:   39611     541    0    0    0     0          0         0    39611     541    0    0    0     0       0          0
  eth0:164075119    5164    3    4    0     0          0         0   433198    3359    5    6    0     0       0          0
`;

test('parseNetDev: header skipped, no space after the colon handled', () => {
  const n = parseNetDev(NET_DEV);
  assert.equal(n.length, 2);
  assert.deepEqual(n[1], {
    device: 'eth0', receiveBytes: 164075119, receivePackets: 5164, receiveErrors: 3, receiveDrops: 4,
    transmitBytes: 433198, transmitPackets: 3359, transmitErrors: 5, transmitDrops: 6,
  });
});

test('parseNetDev: any 16 counters round-trip (property)', () => {
  const counter = fc.nat({ max: Number.MAX_SAFE_INTEGER });
  fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9.@-]{0,14}$/), fc.array(counter, { minLength: 16, maxLength: 16 }), (dev, v) => {
    const [n] = parseNetDev(`${dev}:${v.join(' ')}\n`);
    assert.deepEqual(n, {
      device: dev, receiveBytes: v[0], receivePackets: v[1], receiveErrors: v[2], receiveDrops: v[3],
      transmitBytes: v[8], transmitPackets: v[9], transmitErrors: v[10], transmitDrops: v[11],
    });
  }));
});

test('parseMaxOpenFiles: the soft limit, unlimited is absent', () => {
  const limits = `Limit                     Soft Limit           Hard Limit           Units
Max processes             63321                63321                processes
Max open files            1024                 1048576              files
`;
  assert.equal(parseMaxOpenFiles(limits), 1024);
  assert.equal(parseMaxOpenFiles('Max open files            unlimited            unlimited            files\n'), undefined);
  assert.equal(parseMaxOpenFiles(''), undefined);
});

test('cgroup files: /proc/self/cgroup, cpu.max, memory.max, cpu.stat', () => {
  assert.equal(parseSelfCgroupV2Path('0::/system.slice/app.service\n'), '/system.slice/app.service');
  assert.equal(parseSelfCgroupV2Path('4:memory:/x\n1:cpu:/\n0::/\n'), '/');
  assert.equal(parseSelfCgroupV2Path('4:memory:/x\n1:cpu:/\n'), undefined);
  assert.deepEqual(parseCpuMax('50000 100000\n'), { quotaMicros: 50000, periodMicros: 100000 });
  assert.deepEqual(parseCpuMax('max 100000\n'), { quotaMicros: undefined, periodMicros: 100000 });
  assert.equal(parseCpuMax('50000\n'), undefined);
  assert.equal(parseCgroupValue('max\n'), Infinity);
  assert.equal(parseCgroupValue('536870912\n'), 536870912);
  assert.equal(parseCgroupValue('nonsense'), undefined);
  const s = parseFlatKeyed('usage_usec 123456\nuser_usec 100000\nnr_throttled 7\nthrottled_usec 4200\n');
  assert.equal(s.get('usage_usec'), 123456);
  assert.equal(s.get('nr_throttled'), 7);
});

test('Platform on this machine: real /proc files parse into sane values', { skip: !isLinux && 'not Linux' }, async () => {
  const p = new Platform();
  const stat = await p.procStat();
  assert.ok(stat !== undefined);
  const cpuLines = readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d+ /.test(l)).length;
  assert.equal(stat.cpus.length, cpuLines);
  assert.ok(stat.cpus.every((c) => (c.modes['idle'] ?? -1) >= 0 && (c.modes['user'] ?? -1) >= 0));
  assert.ok((stat.bootTime ?? 0) > 1e9 && (stat.bootTime ?? 0) * 1000 < Date.now());

  const load = await p.loadavg();
  assert.ok(load !== undefined && load.every((x) => x >= 0));

  const mem = await p.meminfo();
  const total = mem?.get('MemTotal') ?? 0;
  assert.ok(total > 0);
  assert.ok((mem?.get('MemAvailable') ?? Infinity) <= total);

  const status = await p.selfStatus();
  assert.ok((status?.get('Threads') ?? 0) >= 1);
  // The resident set the kernel reports is what libuv reports too (both read the kernel's count).
  const rss = status?.get('VmRSS') ?? 0;
  assert.ok(rss > 0 && rss <= (status?.get('VmSize') ?? 0));

  const fds = await p.openFds();
  const max = await p.maxFds();
  assert.ok(fds !== undefined && fds >= 3, `open fds ${fds}`);
  assert.ok(max === undefined || max >= fds);

  const mounts = await p.mounts();
  assert.ok(mounts?.some((m) => m.mountPoint === '/'));
  const root = await p.fsUsage('/');
  assert.ok(root !== undefined && root.sizeBytes > 0 && root.availableBytes <= root.freeBytes && root.freeBytes <= root.sizeBytes);

  const disks = await p.diskstats();
  assert.ok(disks !== undefined);
  const net = await p.netDev();
  assert.ok(net?.some((n) => n.device === 'lo'));
});

test('Platform: open fd count follows descriptors this process opens', { skip: !isLinux && 'not Linux' }, async () => {
  const { open } = await import('node:fs/promises');
  const p = new Platform();
  const before = await p.openFds();
  const handles = await Promise.all([0, 1, 2, 3, 4].map(() => open('/proc/self/stat', 'r')));
  const during = await p.openFds();
  await Promise.all(handles.map((h) => h.close()));
  assert.ok(before !== undefined && during !== undefined);
  // Other tests in this process may open files concurrently; five more is the floor.
  assert.ok(during >= before + 5, `${before} -> ${during}`);
});

test('Platform: missing files yield undefined, never a throw', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sl-proc-empty-'));
  try {
    const p = new Platform({ procRoot: dir });
    assert.equal(await p.procStat(), undefined);
    assert.equal(await p.loadavg(), undefined);
    assert.equal(await p.meminfo(), undefined);
    assert.equal(await p.mounts(), undefined);
    assert.equal(await p.diskstats(), undefined);
    assert.equal(await p.netDev(), undefined);
    assert.equal(await p.selfStatus(), undefined);
    assert.equal(await p.openFds(), undefined);
    assert.equal(await p.maxFds(), undefined);
    assert.equal(await p.cgroupLocation(), undefined);
    assert.equal(await p.cgroup(), undefined);
    assert.equal(await p.fsUsage(join(dir, 'no-such-mount')), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Platform: cgroup v2 location from /proc/self/cgroup and mountinfo', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sl-proc-cg-'));
  try {
    await mkdir(join(dir, 'self'), { recursive: true });
    await writeFile(join(dir, 'self', 'cgroup'), '0::/kubepods/pod1/ctr\n');
    await writeFile(join(dir, 'self', 'mountinfo'),
      '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw\n41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n');
    const p = new Platform({ procRoot: dir });
    assert.deepEqual(await p.cgroupLocation(), { dir: '/sys/fs/cgroup/unified/kubepods/pod1/ctr', root: '/sys/fs/cgroup/unified' });
    // In a cgroup namespace whose mount root is the container's own cgroup.
    await mkdir(join(dir, 'ns', 'self'), { recursive: true });
    await writeFile(join(dir, 'ns', 'self', 'cgroup'), '0::/\n');
    await writeFile(join(dir, 'ns', 'self', 'mountinfo'), '41 31 0:38 /kubepods/pod1/ctr /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n');
    assert.deepEqual(await new Platform({ procRoot: join(dir, 'ns') }).cgroupLocation(), { dir: '/sys/fs/cgroup', root: '/sys/fs/cgroup' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Platform: cgroup limits are the tightest up to the root; usage from the leaf', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sl-cgroup-'));
  try {
    const slice = join(root, 'app.slice');
    const leaf = join(slice, 'app.service');
    await mkdir(leaf, { recursive: true });
    await writeFile(join(slice, 'memory.max'), '1073741824\n');
    await writeFile(join(slice, 'cpu.max'), '150000 100000\n');
    await writeFile(join(leaf, 'memory.max'), 'max\n');
    await writeFile(join(leaf, 'cpu.max'), '50000 100000\n');
    await writeFile(join(leaf, 'memory.current'), '268435456\n');
    await writeFile(join(leaf, 'cpu.stat'), 'usage_usec 2500000\nnr_throttled 3\nthrottled_usec 120000\n');
    const s = await new Platform({ cgroupDir: leaf, cgroupRoot: root }).cgroup();
    assert.deepEqual(s, {
      cpuQuotaMicros: 50000,
      cpuPeriodMicros: 100000,
      memoryMaxBytes: 1073741824,
      memoryCurrentBytes: 268435456,
      cpuStat: new Map([['usage_usec', 2500000], ['nr_throttled', 3], ['throttled_usec', 120000]]),
    });
    // Only the leaf's own limits when no root is given: memory unlimited.
    const own = await new Platform({ cgroupDir: leaf }).cgroup();
    assert.equal(own?.memoryMaxBytes, Infinity);
    // No limit anywhere: quota undefined, period known.
    await writeFile(join(leaf, 'cpu.max'), 'max 100000\n');
    await writeFile(join(slice, 'cpu.max'), 'max 100000\n');
    const free = await new Platform({ cgroupDir: leaf, cgroupRoot: root }).cgroup();
    assert.equal(free?.cpuQuotaMicros, undefined);
    assert.equal(free?.cpuPeriodMicros, 100000);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('Platform on this machine: cgroup v2 discovery matches /proc/self/cgroup', { skip: !isLinux && 'not Linux' }, async () => {
  const p = new Platform();
  const where = await p.cgroupLocation();
  const self = readFileSync('/proc/self/cgroup', 'utf8');
  if (!/^0::/m.test(self)) {
    assert.equal(where, undefined);
    return;
  }
  assert.ok(where !== undefined && existsSync(where.dir), `cgroup dir ${where?.dir}`);
  const s = await p.cgroup();
  // Controllers may not be enabled here (cgroup v1 hybrid): then only what exists is reported.
  if (existsSync(join(where.dir, 'memory.current'))) assert.ok((s?.memoryCurrentBytes ?? 0) > 0);
  if (existsSync(join(where.dir, 'cpu.stat'))) assert.ok((s?.cpuStat?.get('usage_usec') ?? -1) >= 0);
});

#!/usr/bin/env node
/**
 * The `sightline` command (docs/cli.md).
 *   sightline demo [options]     two instrumented services under generated load
 *   sightline pretty [options]   JSON log lines on stdin → human lines
 *   sightline rules <slo.yaml>   Prometheus rules for the SLOs of an SLO file
 *   sightline --version | --help | <command> --help
 * Usage mistakes print what is valid on stderr and exit 2.
 */
import { parseArgs } from 'node:util';
import { USAGE_EXIT, UsageError, commandHelp, describeParseError, numberOption, optionTable, parseCommand, parseCommandOperands, validOptions, withHelp } from './args.js';
import { SightlineError } from '../errors.js';
import { SIGHTLINE_VERSION } from '../version.js';
import type { CommandSpec } from './args.js';
import { pretty, wantColor } from './pretty.js';

const port = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 65535;

const DEMO: CommandSpec = {
  name: 'demo',
  brief: 'run two instrumented example services under generated load',
  summary: 'Runs two instrumented services (demo-shop calling demo-inventory) under generated load,\nwith the admin server serving /metrics and the health probes. Prints where everything is, then\nthe services\' log lines on stdout.',
  options: withHelp({
    duration: { type: 'string', value: '<seconds>', help: 'stop after this many seconds (default 0: run until Ctrl-C)' },
    port: { type: 'string', value: '<port>', help: 'port of the shop service (default 0: a free port)' },
    'admin-port': { type: 'string', value: '<port>', help: 'port of the admin server: /metrics, /health/* (default 0: a free port)' },
    rate: { type: 'string', value: '<per second>', help: 'generated requests per second (default 20)' },
    json: { type: 'boolean', help: 'raw JSON log lines (default when stdout is not a terminal)' },
    pretty: { type: 'boolean', help: 'human log lines (default when stdout is a terminal)' },
    'no-color': { type: 'boolean', help: 'no colours in human lines (also NO_COLOR=1)' },
  }),
  details: `The banner (URLs, traffic, how to stop) goes to stderr, so stdout carries log lines only:
\`sightline demo --json | jq\` gets pure JSON lines. Ctrl-C or SIGTERM stops gracefully and exits 0:
readiness fails, in-flight requests finish, telemetry is flushed. The drain delay before the
server closes is 0 here, and readinessPeriodMs × failureThreshold (10 s) in Kubernetes
(KUBERNETES_SERVICE_HOST set). A second Ctrl-C exits at once (130).`,
};

const PRETTY: CommandSpec = {
  name: 'pretty',
  brief: 'turn JSON log lines on stdin into human lines',
  summary: 'Reads JSON log lines on stdin and prints aligned, coloured human lines; other lines pass\nthrough untouched.  Example: node app.js | sightline pretty',
  options: withHelp({
    color: { type: 'boolean', help: 'colours even when stdout is not a terminal (also FORCE_COLOR=1)' },
    'no-color': { type: 'boolean', help: 'plain output (also NO_COLOR=1)' },
  }),
};

const RULES: CommandSpec = {
  name: 'rules',
  brief: 'print Prometheus rules for the SLOs of an SLO file',
  summary: 'Reads an SLO file (YAML: service and slos) and prints one Prometheus rule file on stdout:\nrecorded error ratios and burn rates with Sloth\'s names, burn-rate and budget-consumed alerts.\nExample: sightline rules slo.yaml > slo.rules.yml && promtool check rules slo.rules.yml',
  operands: '<slo.yaml>',
  options: withHelp({}),
  details: `An invalid SLO file prints its coded error (with the file, line and column) on stderr and
exits 1. Loading the rules into Prometheus: docs/slo-rules.md.`,
};

const COMMANDS: readonly CommandSpec[] = [DEMO, PRETTY, RULES];

const GLOBAL = {
  help: { type: 'boolean', short: 'h', help: 'show this help (sightline <command> --help: that command\'s)' },
  version: { type: 'boolean', short: 'v', help: 'print the version of sightline' },
} as const;

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 3;
  const commands = COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.brief}`).join('\n');
  return `usage: sightline <command> [options]\n\ncommands:\n${commands}\n\noptions:\n${optionTable(GLOBAL)}\n\nsightline <command> --help lists the options of a command.\n`;
}

async function runDemo(args: string[]): Promise<number> {
  const v = parseCommand(DEMO, args);
  if (v['help'] === true) return help(DEMO);
  if (v['json'] === true && v['pretty'] === true) throw new UsageError('choose one of --json and --pretty', DEMO);
  const format = v['json'] === true ? 'json' : v['pretty'] === true ? 'pretty' : process.stdout.isTTY === true ? 'pretty' : 'json';
  const options = {
    duration: numberOption(v, 'duration', 0, (n) => n >= 0, 'a number of seconds ≥ 0 (0: until Ctrl-C)', DEMO),
    port: numberOption(v, 'port', 0, port, 'an integer from 0 to 65535 (0: a free port)', DEMO),
    adminPort: numberOption(v, 'admin-port', 0, port, 'an integer from 0 to 65535 (0: a free port)', DEMO),
    rate: numberOption(v, 'rate', 20, (n) => n > 0 && n <= 1000, 'a number of requests per second above 0 and at most 1000', DEMO),
    format,
    color: v['no-color'] === true ? false : wantColor(process.stdout),
  } as const;
  // Loaded once the arguments are valid: --version, --help and mistakes answer at once.
  const { demo } = await import('./demo.js');
  await demo(options);
  return 0;
}

async function runPretty(args: string[]): Promise<number> {
  const v = parseCommand(PRETTY, args);
  if (v['help'] === true) return help(PRETTY);
  const color = v['no-color'] === true ? false : v['color'] === true ? true : wantColor(process.stdout);
  await pretty(process.stdin, process.stdout, { color });
  return 0;
}

async function runRules(args: string[]): Promise<number> {
  const { values, operands } = parseCommandOperands(RULES, args, 1);
  if (values['help'] === true) return help(RULES);
  // Loaded once the arguments are valid, as demo is.
  const [{ loadSloFile, resolveSlos }, { prometheusRulesFor }] = await Promise.all([import('../slo/definition.js'), import('../slo/rules.js')]);
  const file = loadSloFile(operands[0] ?? '');
  process.stdout.write(prometheusRulesFor(resolveSlos(file, { service: file.service, field: '' })));
  return 0;
}

function help(spec: CommandSpec): number {
  process.stdout.write(commandHelp(spec));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(usage());
    return USAGE_EXIT;
  }
  if (command === 'demo') return runDemo(rest);
  if (command === 'pretty') return runPretty(rest);
  if (command === 'rules') return runRules(rest);
  if (command === 'help') {
    const spec = COMMANDS.find((c) => c.name === rest[0]);
    process.stdout.write(spec !== undefined ? commandHelp(spec) : usage());
    return 0;
  }
  if (command.startsWith('-')) {
    let values: { help?: boolean; version?: boolean };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({ args: argv, options: GLOBAL, strict: true, allowPositionals: true }));
    } catch (e) {
      throw new UsageError(describeParseError(e));
    }
    if (values.version === true) {
      process.stdout.write(`${SIGHTLINE_VERSION}\n`);
      return 0;
    }
    const spec = COMMANDS.find((c) => c.name === positionals[0]);
    process.stdout.write(spec !== undefined ? commandHelp(spec) : usage());
    return 0;
  }
  process.stderr.write(`sightline: unknown command ${JSON.stringify(command)}; commands: ${COMMANDS.map((c) => c.name).join(', ')}\n\n${usage()}`);
  return USAGE_EXIT;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      const c = e.command;
      const hint = c !== undefined
        ? `valid options: ${validOptions(c.options)}\nRun "sightline ${c.name} --help" for details.`
        : `valid options: ${validOptions(GLOBAL)}; commands: ${COMMANDS.map((x) => x.name).join(', ')}\nRun "sightline --help" for details.`;
      process.stderr.write(`sightline${c !== undefined ? ` ${c.name}` : ''}: ${e.message}\n${hint}\n`);
      process.exitCode = USAGE_EXIT;
      return;
    }
    const text = e instanceof SightlineError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
    process.stderr.write(`sightline: ${text}\n`);
    process.exitCode = 1;
  },
);

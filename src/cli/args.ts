/**
 * Command-line parsing for `sightline`: each command declares its options once, and both the
 * parser (node's `util.parseArgs`, strict) and the `--help` text are derived from that
 * declaration, so the list of valid options printed on a mistake is always the real one.
 */
import { parseArgs } from 'node:util';

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One-letter alias (`-h`). */
  short?: string;
  /** Placeholder of the value in the help text (`<seconds>`); string options only. */
  value?: string;
  help: string;
}

/** A command: its name, a one-line summary, its options and free text for its help. */
export interface CommandSpec {
  name: string;
  /** One line for the command list of `sightline --help`. */
  brief: string;
  /** The paragraph opening `sightline <command> --help`. */
  summary: string;
  options: Record<string, OptionSpec>;
  /** Paragraphs printed after the options in `sightline <command> --help`. */
  details?: string;
  /** The arguments after the options in the usage line (`<slo.yaml>`); commands without take options only. */
  operands?: string;
}

/** A mistake on the command line: printed with a hint, exit code 2. */
export class UsageError extends Error {
  /** The command whose options were wrong, when known. */
  readonly command: CommandSpec | undefined;
  constructor(message: string, command?: CommandSpec) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** Exit code of usage errors (the sysexits/BSD convention shells and CI use). */
export const USAGE_EXIT = 2;

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

/** `--help` is accepted by every command. */
export function withHelp(options: Record<string, OptionSpec>): Record<string, OptionSpec> {
  return { ...options, help: HELP };
}

function flag(name: string, o: OptionSpec): string {
  return `${o.short !== undefined ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? '<value>'}` : ''}`;
}

/** `--duration, --port, ..., --help`: what a mistake message lists. */
export function validOptions(options: Record<string, OptionSpec>): string {
  return Object.keys(options)
    .map((n) => `--${n}`)
    .join(', ');
}

/** The option table of a help text, flags aligned. */
export function optionTable(options: Record<string, OptionSpec>): string {
  const rows = Object.entries(options).map(([n, o]) => [flag(n, o), o.help] as const);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return rows.map(([f, h]) => `  ${f.padEnd(width)}${h.replace(/\n/g, `\n  ${' '.repeat(width)}`)}`).join('\n');
}

/** `sightline <command> --help`. */
export function commandHelp(spec: CommandSpec): string {
  const details = spec.details !== undefined ? `\n${spec.details.trimEnd()}\n` : '';
  return `usage: sightline ${spec.name} [options]${spec.operands !== undefined ? ` ${spec.operands}` : ''}\n\n${spec.summary}\n\noptions:\n${optionTable(spec.options)}\n${details}`;
}

/**
 * Parses a command's arguments strictly: an unknown option, a missing value, a value given to a
 * flag or a stray positional argument is a {@link UsageError} naming it and the valid options.
 */
export function parseCommand(spec: CommandSpec, args: string[]): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [n, o] of Object.entries(spec.options)) options[n] = o.short === undefined ? { type: o.type } : { type: o.type, short: o.short };
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError(describeParseError(e), spec);
  }
}

/**
 * Parses a command that takes operands: its options as {@link parseCommand} does, and exactly
 * `count` arguments (a missing or extra one is a {@link UsageError}).
 */
export function parseCommandOperands(spec: CommandSpec, args: string[], count: number): { values: Record<string, string | boolean | undefined>; operands: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [n, o] of Object.entries(spec.options)) options[n] = o.short === undefined ? { type: o.type } : { type: o.type, short: o.short };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(describeParseError(e), spec);
  }
  if (parsed.values['help'] === true) return { values: parsed.values, operands: parsed.positionals };
  const what = spec.operands ?? `${count} argument${count === 1 ? '' : 's'}`;
  if (parsed.positionals.length < count) throw new UsageError(`missing ${what}`, spec);
  if (parsed.positionals.length > count) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[count])} (this command takes ${what})`, spec);
  return { values: parsed.values, operands: parsed.positionals };
}

/** parseArgs' errors, reworded; the codes are stable across Node 20 and 22, the wording is not. */
export function describeParseError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const message = String(err.message ?? e);
  const quoted = /'([^']+)'/.exec(message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted ?? message)} (this command takes options only)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // "Option '--port <value>' argument missing" / "Option '--json' does not take an argument"
    {
      const name = /--[\w-]+/.exec(message)?.[0] ?? quoted ?? '';
      if (/does not take/.test(message)) return `option ${name} takes no value`;
      // "--duration -1": parseArgs reads -1 as an option.
      return `option ${name} needs a value${/ambiguous/.test(message) ? ` (a value starting with "-" is written ${name}=-…)` : ''}`;
    }
    default:
      return message;
  }
}

/** Reads a non-negative number option. */
export function numberOption(values: Record<string, unknown>, name: string, fallback: number, check: (n: number) => boolean, expected: string, spec: CommandSpec): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${expected}, got ${JSON.stringify(v)}`, spec);
  return n;
}


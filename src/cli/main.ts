#!/usr/bin/env node
/**
 * The `sightline` command.
 *   sightline demo [--duration S] [--port P] [--rate R]   an instrumented service under generated load
 *   sightline pretty [--no-color]                          JSON log lines on stdin → human lines
 */
import { parseArgs } from 'node:util';
import { demo } from './demo.js';
import { pretty, wantColor } from './pretty.js';

const USAGE = `usage: sightline <command> [options]

commands:
  demo     run an instrumented example service under generated load
           --duration <seconds>  how long to generate traffic (default 10; 0 = until Ctrl-C)
           --port <port>         port of the demo service (default: a free one)
           --rate <per second>   requests per second (default 20)
  pretty   read JSON log lines on stdin, print coloured human lines
           --no-color            plain output (also NO_COLOR=1)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { duration: { type: 'string' }, port: { type: 'string' }, rate: { type: 'string' } } });
      const num = (v: string | undefined, d: number, name: string): number => {
        if (v === undefined) return d;
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
        return n;
      };
      await demo({ duration: num(values.duration, 10, 'duration'), port: num(values.port, 0, 'port'), rate: num(values.rate, 20, 'rate') || 20 });
      return 0;
    }
    case 'pretty': {
      const { values } = parseArgs({ args: rest, options: { 'no-color': { type: 'boolean' }, color: { type: 'boolean' } } });
      const color = values['no-color'] === true ? false : values.color === true ? true : wantColor(process.stdout);
      await pretty(process.stdin, process.stdout, { color });
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`sightline: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`sightline: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);

#!/usr/bin/env node
import { processIO } from './cli/cli-io.js';
import { main } from './cli/main.js';

const code = await main(process.argv.slice(2), processIO());
// Streams to pipes and files are synchronous on POSIX; wait for a TTY's pending write, then exit
// (a sandbox worker or socket left by a dependency must not keep the process alive).
process.stdout.write('', () => process.exit(code));

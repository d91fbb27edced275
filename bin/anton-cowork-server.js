#!/usr/bin/env node
import { runServerCli } from '../dist/bundle/cli.mjs';
await runServerCli(process.argv.slice(2));

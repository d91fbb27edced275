#!/usr/bin/env node
import { runAntonCli } from '../dist/bundle/cli.mjs';
await runAntonCli(process.argv.slice(2));

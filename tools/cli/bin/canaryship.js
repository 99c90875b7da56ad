#!/usr/bin/env node
// Committed entry point, so npm can link the bin before the first build; the code lives in dist/.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });

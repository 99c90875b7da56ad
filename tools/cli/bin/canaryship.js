#!/usr/bin/env node
// Committed entry point, so npm can link the bin before the first build; the code lives in dist/.
import { start } from '@canaryship/toolchain/start';

await start('canaryship', new URL('../dist/main.js', import.meta.url));

#!/usr/bin/env node
// The steps of a provider's path against any cluster (see src/provider-path/cli.ts). Committed
// entry point, so npm can link the bin before the first build; the code lives in dist/.
import { start } from '@canaryship/toolchain/start';

await start('canaryship-provider-path', new URL('../dist/main.js', import.meta.url));

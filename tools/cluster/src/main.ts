/** The provider-path steps' command line (bin/provider-path.js): its own entry, so the library stays free of it. */
export { main } from './provider-path/cli.js';

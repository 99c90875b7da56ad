export { ENTRY, edgeProxy, envoyConfig } from './entry.js';

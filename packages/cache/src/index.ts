export { cache } from './cache.js';

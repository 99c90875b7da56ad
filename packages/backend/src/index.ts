export { backend } from './backend.js';

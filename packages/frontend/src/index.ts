export { frontend } from './frontend.js';

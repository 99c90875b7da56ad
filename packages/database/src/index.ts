export { database } from './database.js';

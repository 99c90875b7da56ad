/** vitest globalSetup of the cluster suite: its programs must be provisioned (see provisioned.ts). */
import { verifyProvisioned } from './provisioned.js';

export default (): Promise<void> => verifyProvisioned('cluster');

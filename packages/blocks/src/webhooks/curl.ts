/** The curl every check runs: failing on HTTP errors, bounded in time, its arguments quoted. */
import { command } from './shell.js';

/** Seconds one check may take; webhook timeouts allow every check its full time. */
export const CHECK_TIMEOUT_SECONDS = 10;

export interface Request {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  /** Sent as JSON, exactly as written (`--data-raw`: a leading `@` is not a file). */
  readonly body?: string;
  /** Where the answer goes: the body is discarded unless the caller reads it. */
  readonly keepBody?: boolean;
}

export const curl = (request: Request): string =>
  command(
    'curl', '--fail', '--silent', '--show-error', '--max-time', String(CHECK_TIMEOUT_SECONDS),
    ...(request.keepBody ? [] : ['--output', '/dev/null']),
    '-X', request.method,
    ...(request.body !== undefined ? ['-H', 'Content-Type: application/json', '--data-raw', request.body] : []),
    request.url,
  );

/**
 * Where a provider's release notifications land in the cluster tests: an HTTP endpoint on loopback
 * that keeps every JSON body posted to it, as a Slack incoming webhook would receive it.
 */
import { createServer } from 'node:http';
import { freePort } from '@canaryship/cluster';

export interface Receiver {
  /** `http://127.0.0.1:<port>/hooks/releases` */
  readonly address: string;
  readonly received: readonly { readonly at: number; readonly body: unknown }[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: { at: number; body: unknown }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        received.push({ at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200).end('ok');
      } catch {
        res.writeHead(400).end('not JSON');
      }
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { address: `http://127.0.0.1:${port}/hooks/releases`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

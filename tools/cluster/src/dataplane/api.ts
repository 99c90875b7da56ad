/**
 * A read-only client of the local API server for the data plane: lists what routing needs, with
 * the admin token and the server's own CA from the kubeconfig. Plain HTTPS from Node, so polling
 * every half second costs no process per poll.
 */
import { request } from 'node:https';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ApiClient {
  /** Items of a list endpoint, e.g. `/api/v1/namespaces/webapp/pods`; an unknown resource lists nothing. */
  list(path: string): Promise<Json[]>;
}

export async function apiClient(kubeconfig: string): Promise<ApiClient> {
  const config = parse(await readFile(kubeconfig, 'utf8')) as Json;
  const server = new URL(String(config['clusters'][0].cluster.server));
  const ca = await readFile(String(config['clusters'][0].cluster['certificate-authority']));
  const token = String(config['users'][0].user.token);
  const get = (path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request({ host: server.hostname, port: server.port, path, ca, headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within 10 s`)));
      req.on('error', reject);
      req.end();
    });
  return {
    async list(path) {
      const { status, body } = await get(path);
      if (status === 404) return [];
      if (status !== 200) throw new Error(`GET ${path}: ${status} ${body.slice(0, 200)}`);
      return ((JSON.parse(body) as Json)['items'] ?? []) as Json[];
    },
  };
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback stand-in for the SSM Parameter Store JSON API (PutParameter, GetParameter), enough for anchor tests. */
export interface FakeSsm {
  readonly url: string;
  readonly parameters: Map<string, { value: string; version: number }>;
  readonly calls: string[];
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export async function startFakeSsm(): Promise<FakeSsm> {
  const parameters = new Map<string, { value: string; version: number }>();
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.replace(/^AmazonSSM\./, '');
      calls.push(op);
      const body = JSON.parse(text || '{}') as { Name?: string; Value?: string; Overwrite?: boolean };
      const reply = (status: number, payload: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      const name = body.Name ?? '';
      if (op === 'PutParameter') {
        const existing = parameters.get(name);
        if (existing !== undefined && body.Overwrite !== true) {
          reply(400, { __type: 'ParameterAlreadyExists', message: 'The parameter already exists.' });
          return;
        }
        const version = (existing?.version ?? 0) + 1;
        parameters.set(name, { value: body.Value ?? '', version });
        reply(200, { Version: version, Tier: 'Standard' });
      } else if (op === 'GetParameter') {
        const found = parameters.get(name);
        if (found === undefined) reply(400, { __type: 'ParameterNotFound', message: '' });
        else reply(200, { Parameter: { Name: name, Value: found.value, Type: 'String', Version: found.version } });
      } else {
        reply(400, { __type: 'InvalidAction', message: op });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    parameters,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

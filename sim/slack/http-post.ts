// One signed POST to an app's request URL, with the acknowledgement deadline Slack applies.

import http from 'node:http';
import https from 'node:https';

export type PostOutcome =
  | { kind: 'response'; status: number; headers: http.IncomingHttpHeaders; body: string }
  | { kind: 'timeout' }
  | { kind: 'connection_failed'; code: string };

/** Caps the response body kept for url_verification; event acknowledgements need none. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs `body` and resolves once the whole response arrived, or with `timeout` after
 * `timeoutMs`, when the request is destroyed. Each request uses its own connection
 * (`agent: false`) so that no idle socket outlives the simulator.
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  inFlight: Set<http.ClientRequest>,
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        inFlight.delete(request);
        resolve(outcome);
      }
    };

    const client = url.startsWith('https:') ? https : http;
    const request = client.request(url, {
      method: 'POST',
      agent: false,
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    inFlight.add(request);

    const timer = setTimeout(() => {
      finish({ kind: 'timeout' });
      request.destroy();
    }, timeoutMs);

    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_RESPONSE_BYTES) {
          chunks.push(chunk);
        }
      });
      response.on('end', () => {
        finish({
          kind: 'response',
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      response.on('error', () => finish({ kind: 'connection_failed', code: 'ERESPONSE' }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish({ kind: 'connection_failed', code: error.code ?? 'ERROR' });
    });

    request.end(body);
  });
}

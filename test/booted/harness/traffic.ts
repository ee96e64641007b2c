// Clients of the booted instance, from outside like a browser: HTTPS through the proxy with the
// instance's name (the proxy's certificate is the first-boot self-signed one, so it is not
// verified here), a bounded load generator, and a WebSocket client of the streaming API.
import { request as plainRequest } from "node:http";
import { request } from "node:https";
import WebSocket from "ws";

export interface Endpoint {
  /** Address the proxy answers on. */
  address: string;
  /** The instance's name (Host header and SNI). */
  domain: string;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request on a fresh connection; `http` asks port 80 in plain text (as an ACME validation does). */
export function get(ep: Endpoint, path: string, timeoutMs = 10_000, scheme: "https" | "http" = "https"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const send = scheme === "https" ? request : plainRequest;
    const req = send(
      { host: ep.address, servername: ep.domain, port: scheme === "https" ? 443 : 80, path, headers: { host: ep.domain }, rejectUnauthorized: false, agent: false, timeout: timeoutMs },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** The issuer's common name of the certificate the proxy presents for the instance's name. */
export function certificateIssuer(ep: Endpoint): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: ep.address, servername: ep.domain, port: 443, path: "/health", headers: { host: ep.domain }, rejectUnauthorized: false, agent: false }, (res) => {
      const issuer = res.socket && "getPeerCertificate" in res.socket ? (res.socket as import("node:tls").TLSSocket).getPeerCertificate().issuer : undefined;
      res.resume();
      resolve(String(issuer?.CN ?? ""));
    });
    req.on("error", reject);
    req.end();
  });
}

export interface LoadResult {
  requests: number;
  failed: number;
  failures: string[];
  /** Distinct release versions that answered, in order of first appearance. */
  versions: string[];
  /** The slowest answer, ms: a restart stalled by a Puma worker that does not exit shows here. */
  slowestMs: number;
}

/** `concurrency` clients requesting `path` back to back until stop() is awaited. */
export function startLoad(ep: Endpoint, path = "/api/v1/instance", concurrency = 4): { stop(): Promise<LoadResult> } {
  const result: LoadResult = { requests: 0, failed: 0, failures: [], versions: [], slowestMs: 0 };
  let running = true;
  let n = 0;
  const worker = async () => {
    while (running) {
      try {
        // A distinct URL each time: nginx caches what Mastodon marks public (/api/v1/instance is).
        // The client waits longer than nginx's 60 s proxy_read_timeout: nginx decides what fails.
        const t0 = Date.now();
        const a = await get(ep, `${path}${path.includes("?") ? "&" : "?"}n=${n++}`, 75_000);
        result.slowestMs = Math.max(result.slowestMs, Date.now() - t0);
        result.requests++;
        if (a.status !== 200) {
          result.failed++;
          result.failures.push(`${a.status} ${a.body.slice(0, 120)}`);
        } else {
          const v = /"version":"([^"]+)"/.exec(a.body)?.[1];
          if (v && !result.versions.includes(v)) result.versions.push(v);
        }
      } catch (e) {
        result.requests++;
        result.failed++;
        result.failures.push(String(e));
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
      return result;
    },
  };
}

export interface StreamClient {
  /** Resolves with the next message's text. */
  next(timeoutMs?: number): Promise<string>;
  /** Closes on our side, or resolves when the server closed it. */
  closed: Promise<number>;
  close(): void;
}

/** An authenticated WebSocket client of /api/v1/streaming through the proxy. */
export function openStream(ep: Endpoint, token: string, stream = "user"): Promise<StreamClient> {
  return new Promise((resolve, reject) => {
    // servername (SNI) goes through to tls.connect, as for https.
    const options: WebSocket.ClientOptions & { servername: string } = {
      headers: { host: ep.domain, authorization: `Bearer ${token}` },
      servername: ep.domain,
      rejectUnauthorized: false,
      handshakeTimeout: 10_000,
    };
    const ws = new WebSocket(`wss://${ep.address}/api/v1/streaming?stream=${stream}`, options);
    const queue: string[] = [];
    const waiting: ((m: string) => void)[] = [];
    ws.on("message", (d) => {
      const text = d.toString();
      const w = waiting.shift();
      if (w) w(text);
      else queue.push(text);
    });
    const closed = new Promise<number>((r) => ws.on("close", (code) => r(code)));
    ws.on("unexpected-response", (_req, res) => reject(new Error(`streaming answered ${res.statusCode} to the upgrade`)));
    ws.on("error", reject);
    ws.on("open", () =>
      resolve({
        next: (timeoutMs = 10_000) =>
          new Promise((res, rej) => {
            const m = queue.shift();
            if (m !== undefined) return res(m);
            const timer = setTimeout(() => rej(new Error(`no streaming message within ${timeoutMs} ms`)), timeoutMs);
            waiting.push((text) => {
              clearTimeout(timer);
              res(text);
            });
          }),
        closed,
        close: () => ws.close(),
      }),
    );
  });
}

// Running a tree's nginx for real on loopback, with small HTTP(S) clients to question it.
import { spawn } from "node:child_process";
import { createServer, request as plainRequest, type Server } from "node:http";
import { request } from "node:https";
import { connect, type AddressInfo } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { nginxArgs, type NginxTree } from "./nginx-tree";
import { freePort } from "../helpers/ports";

export { freePort };

export function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

function waitForPort(port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = connect(port, "127.0.0.1", () => {
        sock.destroy();
        resolve();
      });
      sock.on("error", () => (Date.now() > deadline ? reject(new Error(`nginx did not listen on ${port}`)) : setTimeout(attempt, 50)));
    };
    attempt();
  });
}

/** Starts nginx in the foreground on the tree; resolves once `port` accepts connections. */
export async function startNginx(tree: NginxTree, port: number): Promise<{ stop(): Promise<void> }> {
  const nginx = spawn("nginx", [...nginxArgs(tree), "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  nginx.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((r) => nginx.on("exit", r));
  const stop = async () => {
    if (nginx.exitCode === null) nginx.kill("SIGTERM");
    await exited;
  };
  try {
    await waitForPort(port, Date.now() + 10_000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${stderr}`);
  }
  return { stop };
}

export interface Reply {
  status: number;
  header(name: string): string[];
  body: string;
}

function reply(status: number, raw: string[], body: string): Reply {
  return { status, header: (name) => raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === name), body };
}

export function get(port: number, host: string, path: string, tls = true): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const send = tls ? request : plainRequest;
    const req = send({ host: "127.0.0.1", port, path, servername: host, headers: { host }, rejectUnauthorized: false, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve(reply(res.statusCode ?? 0, res.rawHeaders, body)));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`timeout on ${path}`)));
    req.end();
  });
}

/** A GET over TLS behind a PROXY protocol v1 line, as a load balancer in passthrough sends it. */
export function getViaProxyProtocol(port: number, host: string, path: string, clientIp: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const raw = connect(port, "127.0.0.1", () => {
      raw.write(`PROXY TCP4 ${clientIp} 127.0.0.1 40000 ${port}\r\n`);
      const tls = tlsConnect({ socket: raw, servername: host, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () => {
        tls.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      });
      let text = "";
      tls.setEncoding("utf8");
      tls.on("data", (d: string) => (text += d));
      tls.on("end", () => {
        const [head = "", ...rest] = text.split("\r\n\r\n");
        const [statusLine = "", ...lines] = head.split("\r\n");
        const headers = lines.flatMap((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]);
        resolve(reply(Number(statusLine.split(" ")[1]), headers, rest.join("\r\n\r\n")));
      });
      tls.on("error", reject);
    });
    raw.on("error", reject);
    raw.setTimeout(5000, () => raw.destroy(new Error(`timeout on ${path}`)));
  });
}

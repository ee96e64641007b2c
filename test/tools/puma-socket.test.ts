// The web listener socket: Puma, started the way systemd starts a socket-activated service
// (systemd-socket-activate hands it the listening fd with LISTEN_FDS/LISTEN_PID), must take that
// socket over with the bind Mastodon's config/puma.rb makes from BIND and PORT — were the
// addresses not to match, Puma would bind the port itself, fail with EADDRINUSE and serve nothing.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { examplePlan } from "../helpers/plans";
import { freePort } from "../helpers/ports";
import { requireTool } from "../helpers/tools";

function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/health", agent: false, timeout: 20_000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("Puma takes over the rendered socket's listener instead of binding its own", async (t) => {
  if (!requireTool(t, "puma", "puma ruby-rack") || !requireTool(t, "systemd-socket-activate", "systemd")) return;
  const socket = examplePlan("single").hosts[0]!.files.find((f) => f.path.endsWith("/mastodon-web.socket"))!;
  const listen = /^ListenStream=(.+):(\d+)$/m.exec(socket.content)!;
  assert.equal(listen[1], "127.0.0.1", "single's Puma listens on loopback behind its own nginx");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "puma-socket-"));
  // The same bind expression as Mastodon's config/puma.rb (checked in mastodon/mastodon, 2026-11).
  writeFileSync(join(dir, "puma.rb"), `bind "tcp://#{ENV.fetch('BIND', '127.0.0.1')}:#{ENV.fetch('PORT', 3000)}"\nworkers 0\nthreads 1, 1\n`);
  writeFileSync(join(dir, "config.ru"), `run ->(env) { [200, { "content-type" => "text/plain" }, ["OK"]] }\n`);
  const log = join(dir, "puma.log");
  const child = spawn("systemd-socket-activate", ["-l", `${listen[1]}:${port}`, "-E", `BIND=${listen[1]}`, "-E", `PORT=${port}`, "puma", "-C", join(dir, "puma.rb"), join(dir, "config.ru")], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  t.after(() => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  // systemd-socket-activate listens at once and starts Puma on the first connection, like systemd.
  let answer: { status: number; body: string } | undefined;
  for (let i = 0; i < 50 && !answer; i++) {
    answer = await get(port).catch(() => undefined);
    if (!answer) await new Promise((r) => setTimeout(r, 100));
  }
  writeFileSync(log, out);
  assert.deepEqual(answer, { status: 200, body: "OK" }, readFileSync(log, "utf8"));
  assert.match(out, new RegExp(`Activated tcp://127\\.0\\.0\\.1:${port}`), out);
  assert.doesNotMatch(out, /Address already in use/);
});

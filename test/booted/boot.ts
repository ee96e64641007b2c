// npm run boot -- stacks/<name>.yaml [--keep]: boots any stack's hosts the way the booted tests
// do (Debian 13 under systemd-nspawn, rendered user-data, the program's own commands) and runs
// the proofs every stack owes, printing each one's verdict. Exit 1 when one fails. With --keep
// the machines stay up under /var/tmp/mastodon-stack-booted/ for a look (ssh as printed).
import { randomBytes } from "node:crypto";
import { basename, resolve } from "node:path";
import { loadStack } from "../../src/spec/load";
import { SpecError } from "../../src/spec/errors";
import { CapacityError } from "../../src/plan";
import { assertConvergeUnchanged, assertFilesReadable, assertHostsWhole, assertProxyServes, assertStreamingRelays } from "./harness/assertions";
import { bootBlocker } from "./harness/host-tools";
import { needsManagedStandIn } from "./harness/managed/index";
import { report } from "./harness/report";
import { bootStack } from "./harness/stack";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith("--"));
  if (!file) {
    console.error("usage: npm run boot -- stacks/<name>.yaml [--keep]");
    return 1;
  }
  const blocker = bootBlocker();
  if (blocker) {
    console.error(`cannot boot hosts here: ${blocker}`);
    return 1;
  }
  const spec = loadStack(resolve(file));
  if (spec.loadBalancer.enabled && !needsManagedStandIn(spec)) {
    console.error(`${file}: the harness stands in for DigitalOcean's load balancer only: boot this stack without loadBalancer`);
    return 1;
  }
  const id = basename(file).replace(/\.ya?ml$/, "").replace(/[^a-z0-9]/gi, "").slice(0, 8) || "stack";
  const stack = await bootStack(spec, { id, tags: [{ tag: spec.mastodon.version, streaming: "v4.5.2" }] });
  let failed = 0;
  const proofs: [string, () => Promise<unknown>][] = [
    ["program's commands", () => stack.apply()],
    ["hosts running, every unit active", () => assertHostsWhole(stack)],
    ["every file readable by its user", () => assertFilesReadable(stack)],
    ["proxy: TLS, HSTS, /health, streaming health", () => assertProxyServes(stack)],
    ["streaming relays Redis to a WebSocket client", () => assertStreamingRelays(stack, randomBytes(24).toString("hex"))],
    ["unchanged converge changes nothing", () => assertConvergeUnchanged(stack)],
  ];
  try {
    for (const [name, proof] of proofs) {
      try {
        await proof();
        console.log(`ok      ${name}`);
      } catch (e) {
        failed++;
        console.log(`FAILED  ${name}\n${String(e instanceof Error ? e.message : e).replace(/^/gm, "        ")}`);
        if (name === "program's commands") break;
      }
    }
    report(spec.name, stack);
  } finally {
    if (args.includes("--keep")) {
      for (const m of Object.values(stack.machines)) console.log(`ssh -i ${stack.keyFile} root@${m.address}   # ${m.name}`);
    } else await stack.teardown();
  }
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof SpecError || e instanceof CapacityError ? e.message : e);
    process.exit(1);
  },
);

// npm run bench (part 3): a planned stack on booted hosts (hobby: three Debian 13 machines under
// systemd-nspawn, see test/booted/). Prints: the Debian root's build, each host's boot to SSH
// and first boot (cloud-init with every package), the program's commands on first install, an
// unchanged converge per host, and Puma restarts under load through the proxy: how long each
// restart took and how many requests it lost. Needs root and the harness's tools; says so and
// exits 0 without them.
import { join } from "node:path";
import { loadStack } from "../src/spec/load";
import { convergeSummary } from "../test/booted/harness/checks";
import { bootBlocker } from "../test/booted/harness/host-tools";
import { proxyEndpoint } from "../test/booted/harness/instance";
import { bootStack } from "../test/booted/harness/stack";
import { startLoad } from "../test/booted/harness/traffic";

const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 16);
const s = (x: number) => `${x.toFixed(1)} s`;

async function main(): Promise<void> {
  const blocker = bootBlocker();
  if (blocker) {
    console.log(`booted hosts: skipped (${blocker})`);
    return;
  }
  const t0 = Date.now();
  const stack = await bootStack(loadStack(join(__dirname, "..", "stacks", "hobby.yaml")), { id: "bench", tags: [{ tag: "v4.5.2", streaming: "v4.5.2" }] });
  try {
    const t = stack.timings;
    console.log(`booted hosts (hobby, ${Object.keys(stack.machines).length} hosts)`);
    console.log(`  Debian 13 root: build ${t.rootBuild ? s(t.rootBuild) : "cached"}, unpack ${t.rootUnpack ? s(t.rootUnpack) : "cached"}; stand-in release ${s(t.standIn)}`);
    for (const h of Object.keys(stack.machines)) console.log(`  ${h}: ssh after ${s(t.boot[h]!)}, first boot (cloud-init + packages) ${s(t.cloudInit[h]!)}`);
    const first = Date.now();
    const install = await stack.apply();
    console.log(`  first install (converge, database, build, migrate, switch): ${s((Date.now() - first) / 1000)} wall`);
    for (const r of install.results.filter((x) => x.name.endsWith("-converge"))) console.log(`    ${r.name}: first converge ${s(r.seconds)}`);
    const again = await stack.apply((c) => c.name.endsWith("-converge"));
    for (const r of again.results) {
      const sum = convergeSummary(r.stdout);
      console.log(`    ${r.name}: unchanged converge ${s(r.seconds)} (changed=${sum?.changed} actions=${sum?.actions})`);
    }
    console.log(`  planned stack to serving: ${s((Date.now() - t0) / 1000)}`);

    const web = Object.values(stack.machines).find((m) => stack.program.plan.hosts.find((h) => h.name === m.name)?.roles.includes("web"))!;
    const ep = proxyEndpoint(stack);
    let lost = 0;
    let slowest = 0;
    const durations: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      const load = startLoad(ep);
      await new Promise((r) => setTimeout(r, 1000));
      const r = await web.ssh("systemctl restart mastodon-web.service");
      await new Promise((res) => setTimeout(res, 2000));
      const result = await load.stop();
      lost += result.failed;
      slowest = Math.max(slowest, result.slowestMs);
      durations.push(r.seconds);
    }
    const slow = durations.filter((d) => d > 10).length;
    durations.sort((a, b) => a - b);
    console.log(`  mastodon-web restarts under load (${RESTARTS}, 4 clients through the proxy): ${lost} requests lost in all; restart median ${s(durations[Math.floor(durations.length / 2)]!)}, max ${s(durations.at(-1)!)}, ${slow} took over 10 s; slowest request ${s(slowest / 1000)}`);
  } finally {
    await stack.teardown();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// What a booted stack cost, printed after its tests.
import type { BootedStack } from "./stack";

export function report(name: string, stack: BootedStack): void {
  const t = stack.timings;
  const lines = [
    `booted ${name}: root build ${t.rootBuild.toFixed(1)} s, unpack ${t.rootUnpack.toFixed(1)} s, stand-in ${t.standIn.toFixed(1)} s, program ${t.program.toFixed(1)} s`,
    ...Object.entries(t.boot).map(([h, s]) => `  ${h}: ssh up ${s.toFixed(1)} s after start`),
    ...stack.log.filter((l) => l.includes("booting a fresh machine") || l.includes("could not be spawned")).map((l) => `  ${l}`),
    ...Object.entries(t.cloudInit).map(([h, s]) => `  ${h}: first boot (cloud-init, packages) done ${s.toFixed(1)} s later`),
    ...Object.entries(t.commands)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([c, s]) => `  ${c}: ${s.toFixed(1)} s`),
  ];
  console.log(lines.join("\n"));
}

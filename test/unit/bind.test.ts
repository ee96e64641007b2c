import assert from "node:assert/strict";
import { test } from "node:test";
import { examplePlan } from "../helpers/plans";

const bindOf = (plan: ReturnType<typeof examplePlan>, host: string, unit: string) =>
  plan.hosts.find((h) => h.name === host)!.files.find((f) => f.path.endsWith(unit))!.content.match(/^Environment=BIND=(.*)$/m)?.[1];

test("Puma and streaming listen only where their proxies can reach them", () => {
  // single: nginx on the same box → loopback only.
  assert.equal(bindOf(examplePlan("single"), "box", "mastodon-web.service"), "127.0.0.1");
  // hobby: nginx on web; streaming on workers → the workers' private address.
  assert.equal(bindOf(examplePlan("hobby"), "web", "mastodon-web.service"), "127.0.0.1");
  assert.equal(bindOf(examplePlan("hobby"), "workers", "mastodon-streaming@.service"), "10.10.1.11");
  // prod: proxies on edge hosts → the web host's private address, filled in from the droplet.
  assert.equal(bindOf(examplePlan("prod"), "web-2", "mastodon-web.service"), "{{output:address.web-2}}");
});

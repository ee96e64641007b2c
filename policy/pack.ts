// The policy pack `pulumi preview --policy-pack policy` runs. The engine starts it with the
// policy directory as working directory and loads package.json's main, the compiled copy of this
// file (`npm run build` writes bin/policy/): constructing the PolicyPack starts the gRPC server the
// engine talks to, so nothing but the engine's runner may import this file (tests import
// ./policies.ts). Not index.ts: without a build, Node would fall back to an index.ts beside
// package.json and the runner's ts-node would type-check the sources for minutes, where now the
// missing bin/policy/pack.js is named at once. Every policy is mandatory; the stack file read by
// ./context.ts relaxes two.
import { PolicyPack } from "@pulumi/policy";
import { projectDirOf, readContext } from "./context";
import { mastodonPolicies } from "./policies";

new PolicyPack("mastodon-stack", {
  description: "mastodon-stack's invariants: only the web open to the Internet, transaction pools, protected data, every host on the private network, secrets only in inputs made for them",
  enforcementLevel: "mandatory",
  policies: mastodonPolicies(readContext(process.env, projectDirOf(__dirname))),
});

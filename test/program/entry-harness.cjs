// Loads the compiled entry point under plain node, as Pulumi's nodejs language host does with
// `runtime.options.typescript: false`: config arrives in PULUMI_CONFIG before the program is
// required. Mocks stand in for the engine. Prints what was registered as one JSON line.
"use strict";
const [compiled, stack, configJson, secretKeysJson] = process.argv.slice(2);
process.env.PULUMI_CONFIG = configJson;
process.env.PULUMI_CONFIG_SECRET_KEYS = secretKeysJson;
const { startMockedRun } = require(`${compiled}/src/program/mocks.js`);

(async () => {
  const run = await startMockedRun("mastodon-stack", stack);
  let error = null;
  let entry = {};
  try {
    entry = require(`${compiled}/src/index.js`);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const resources = await run.finish();
  const types = {};
  for (const r of resources) types[r.type] = (types[r.type] || 0) + 1;
  console.log(JSON.stringify({ error, count: resources.length, types, instanceUrl: entry.instanceUrl ?? null, monthlyCost: entry.monthlyCost ?? null }));
})();

// Which stack file a stack reads: the one its config names (<project>:stackFile), else
// stacks/<stack>.yaml. The program (src/index.ts) and the policy pack (policy/context.ts) both ask
// here, so the pack judges the file the program deploys.

/** The stack file for `stack`, given the value of its stackFile config (undefined when unset). */
export function stackFileFor(stack: string, configured: string | undefined): string {
  return configured ?? `stacks/${stack}.yaml`;
}

// How every command ends: its exit code (0 done, 1 refused with a located message), or 2 with
// the stack trace for a failure that is ours, never a refusal.
export function runCli(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.stack ?? e.message : String(e));
      process.exitCode = 2;
    },
  );
}

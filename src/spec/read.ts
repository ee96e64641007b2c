// Reading the stack file itself. `--stack /dev/zero`, a FIFO or a multi-gigabyte file would hang
// or fill the heap before the YAML parser could say anything, so only a regular file of a sane
// size is read: the file is opened without blocking (a FIFO with no writer would block open()),
// checked with fstat on that same descriptor (no race with a rename), and read no further than
// the limit even if it grows meanwhile.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { SpecError } from "./errors";

/** A stack file is a few KB; the largest one the schema admits (50 host groups) is well under 100 KB. */
export const MAX_STACK_BYTES = 1024 * 1024;

function refuse(file: string, message: string, fix: string): never {
  throw new SpecError([{ file, line: 1, col: 1, path: "(file)", message, fix }]);
}

export function readStackFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return refuse(file, `cannot read the stack file: ${(e as Error).message}`, "check the path given with --stack");
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const kind = st.isDirectory() ? "a directory" : st.isFIFO() ? "a FIFO" : st.isCharacterDevice() ? "a character device" : st.isSocket() ? "a socket" : "not a regular file";
      return refuse(file, `is ${kind}, not a regular file`, "give the path of a stack file (stacks/<name>.yaml)");
    }
    if (st.size > MAX_STACK_BYTES) return refuse(file, `is ${st.size} bytes; a stack file is at most ${MAX_STACK_BYTES} bytes`, "give the path of a stack file (stacks/<name>.yaml), not another file");
    const buf = Buffer.alloc(MAX_STACK_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_STACK_BYTES) return refuse(file, `grew past ${MAX_STACK_BYTES} bytes while being read`, "give the path of a stack file that is not being written to");
    }
    return buf.subarray(0, length).toString("utf8");
  } catch (e) {
    if (e instanceof SpecError) throw e;
    return refuse(file, `cannot read the stack file: ${(e as Error).message}`, "check the path given with --stack");
  } finally {
    closeSync(fd);
  }
}

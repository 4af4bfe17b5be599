/**
 * The one error the object loader throws: a malformed, hostile or unsupported `.bpf.o` becomes a
 * single line naming the file and what is wrong, never a crash of the simulator.
 */
import { InputError } from "../../errors.js";

/**
 * A `.bpf.o` the loader cannot or will not load. `message` is `<file>: <detail>`, one line: names
 * taken from the object may hold any byte, so control characters are shown escaped.
 */
export class BpfObjectError extends InputError {
  readonly detail: string;
  /** The object file's name, as given. */
  readonly objectFile: string;

  constructor(file: string, detail: string) {
    const clean = oneLine(detail);
    super(`${oneLine(file)}: ${clean}`);
    this.detail = clean;
    this.objectFile = file;
  }
}

function oneLine(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Thrown below the file level (parsers that do not know the file name); rewrapped by the loader. */
export class ObjFormatError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = "ObjFormatError";
  }
}

/** Throw an ObjFormatError: `fail("bad thing")` reads like an assertion. */
export function fail(detail: string): never {
  throw new ObjFormatError(detail);
}

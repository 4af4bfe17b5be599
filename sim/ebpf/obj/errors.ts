/**
 * The one error the object loader throws: a malformed, hostile or unsupported `.bpf.o` becomes a
 * single line naming the file and what is wrong, never a crash of the simulator.
 */
import { InputError } from "../../errors.js";
import { escapeControls } from "../../printable.js";

/**
 * A `.bpf.o` the loader cannot or will not load. `message` is `<file>: <detail>`, one line: names
 * taken from the object may hold any byte, so control characters are shown escaped.
 */
export class BpfObjectError extends InputError {
  readonly detail: string;
  /** The object file's name, as given. */
  readonly objectFile: string;

  constructor(file: string, detail: string) {
    const clean = escapeControls(detail);
    super(`${escapeControls(file)}: ${clean}`);
    this.detail = clean;
    this.objectFile = file;
  }
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

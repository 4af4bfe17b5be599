/**
 * The one error the object loader throws: a malformed, hostile or unsupported `.bpf.o` becomes a
 * single line naming the file and what is wrong, never a crash of the simulator.
 */

/** A `.bpf.o` the loader cannot or will not load. `message` is `<file>: <detail>`. */
export class BpfObjectError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "BpfObjectError";
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

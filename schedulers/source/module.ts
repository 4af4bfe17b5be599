/**
 * A user's scheduler module: a `.js`, `.mjs` or `.ts` file whose default export is a scheduler
 * class constructed with `(scx, options)` or a factory with the same arguments, exactly as the
 * built-ins are written, with an optional `options` export (`defineOptions`). TypeScript is
 * transpiled with the `typescript` package; `import ... from "scxlab"` resolves to this package
 * wherever the file lives. Loading is asynchronous (ES modules are), so it happens once per
 * thread in `prepareModule`; building ops from a prepared module is synchronous, like a built-in.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { threadId } from "node:worker_threads";
import { SCHED_EXT_CALLBACKS, type SchedExtOps, type Scx } from "../../sim/ext/ops.js";
import { OptionError, resolveOptions, type OptionSchema, type OptionSpec, type RawOptions } from "../options.js";
import { MODULE_EXTENSIONS } from "./spec.js";

/** A problem with a user's scheduler file: one line naming the file and what was expected. */
export class SchedulerFileError extends OptionError {}

/** A loaded module: how to build its ops, and its option schema. */
export interface SchedulerModule {
  readonly file: string;
  readonly options: OptionSchema;
  create(scx: Scx, raw: RawOptions): SchedExtOps;
}


const MAX_FILE_BYTES = 4 << 20;
const loaded = new Map<string, SchedulerModule>();

/** The module for `path` if `prepareModule` has loaded it in this thread. */
export function preparedModule(path: string): SchedulerModule | undefined {
  return loaded.get(resolve(path));
}

/** Loads, checks and caches the module at `path` (relative to the working directory). */
export async function prepareModule(path: string): Promise<SchedulerModule> {
  const abs = resolve(path);
  const known = loaded.get(abs);
  if (known !== undefined) return known;
  const fail = (expected: string, got = ""): never => {
    throw new SchedulerFileError({ file: path, path: "", expected, got });
  };
  const ext = extname(abs).toLowerCase();
  if (!(MODULE_EXTENSIONS as readonly string[]).includes(ext)) fail(`a scheduler module (${MODULE_EXTENSIONS.join(", ")})`, JSON.stringify(ext || "no extension"));
  let size = 0;
  try {
    const st = statSync(abs);
    if (!st.isFile()) fail("a regular file", "something else");
    size = st.size;
  } catch (e) {
    if (e instanceof SchedulerFileError) throw e;
    fail("a readable file", (e as NodeJS.ErrnoException).code ?? "an error");
  }
  if (size > MAX_FILE_BYTES) fail(`at most ${MAX_FILE_BYTES} bytes`, `${size}`);
  const source = readFileSync(abs, "utf8");
  const code = await transpile(source, abs, path);
  let ns: Record<string, unknown>;
  try {
    ns = await importOrIdle(pathToFileURL(cached(code, abs)).href);
  } catch (e) {
    return fail("a module that loads", e === IDLE ? "a top-level await that never settles" : describe(e));
  }
  const mod = checkModule(ns, path);
  loaded.set(abs, mod);
  return mod;
}

/** What importOrIdle rejects with when nothing is left to run while the import waits. */
const IDLE = Symbol("idle");

/**
 * import(), refused when the event loop runs dry before it settles (a top-level await on a
 * promise nothing will settle): the process would otherwise exit 0, having run nothing.
 */
function importOrIdle(url: string): Promise<Record<string, unknown>> {
  let idle = (): void => {};
  const never = new Promise<never>((_, reject) => { idle = () => reject(IDLE); });
  process.once("beforeExit", idle);
  return Promise.race([import(url) as Promise<Record<string, unknown>>, never]).finally(() => process.off("beforeExit", idle));
}

/** Transpiles to an ES module and points `scxlab` and relative imports at real files. */
async function transpile(source: string, abs: string, shown: string): Promise<string> {
  const ts = (await import("typescript")).default;
  const out = ts.transpileModule(source, {
    fileName: abs,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, allowJs: true, sourceMap: false },
  });
  const diag = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (diag !== undefined) {
    const pos = diag.file !== undefined && diag.start !== undefined ? diag.file.getLineAndCharacterOfPosition(diag.start) : undefined;
    throw new SchedulerFileError({
      file: shown, path: "", expected: "valid JavaScript or TypeScript",
      got: ts.flattenDiagnosticMessageText(diag.messageText, " "),
      ...(pos ? { line: pos.line + 1, column: pos.character + 1 } : {}),
    });
  }
  const code = out.outputText;
  const imports = ts.preProcessFile(code, true, true).importedFiles;
  let result = "";
  let at = 0;
  for (const imp of imports) {
    const target = rewrite(imp.fileName, abs);
    if (target === null) continue;
    // `pos` is the opening quote of the specifier's string literal
    const close = code.indexOf(code[imp.pos], imp.pos + 1);
    result += code.slice(at, imp.pos) + JSON.stringify(target);
    at = close + 1;
  }
  return result + code.slice(at);
}

/** The built package's entry (dist/index.js), found from this file whether it runs from dist/ or from source. */
const PACKAGE_ENTRY = packageEntry();

function packageEntry(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; main?: string };
      if (pkg.name === "scxlab") return join(dir, pkg.main ?? "dist/index.js");
    } catch {
      // not the package root yet
    }
    const up = dirname(dir);
    if (up === dir) return fileURLToPath(new URL("../../index.js", import.meta.url));
    dir = up;
  }
}

function rewrite(spec: string, from: string): string | null {
  if (spec === "scxlab") return pathToFileURL(PACKAGE_ENTRY).href;
  if (spec.startsWith("./") || spec.startsWith("../")) return pathToFileURL(resolve(dirname(from), spec)).href;
  return null;
}

/** Writes the transpiled code once under a content-addressed name, atomically, and returns its path. */
function cached(code: string, abs: string): string {
  const dir = join(tmpdir(), "scxlab-modules");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash("sha256").update(abs).update("\0").update(code).digest("hex").slice(0, 32)}.mjs`);
  const tmp = `${file}.${process.pid}-${threadId}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
  return file;
}

function checkModule(ns: Record<string, unknown>, file: string): SchedulerModule {
  const fail = (path: string, expected: string, got: string): never => {
    throw new SchedulerFileError({ file, path, expected, got });
  };
  const make = ns.default;
  if (typeof make !== "function") return fail("default export", "a scheduler class or factory (scx, options) => ops", kindOf(make));
  const options = ns.options === undefined ? {} : checkSchema(ns.options, fail);
  const isClass = /^class\b/.test(Function.prototype.toString.call(make));
  const build = make as (this: unknown, scx: Scx, opts: unknown) => unknown;
  return {
    file, options,
    create(scx, raw) {
      const opts = resolveOptions(file, options, raw);
      let ops: unknown;
      try {
        ops = isClass ? Reflect.construct(build, [scx, opts]) : build.call(undefined, scx, opts);
      } catch (e) {
        return fail("default export", "a constructor that returns", describe(e));
      }
      return checkOps(ops, fail);
    },
  };
}

function checkSchema(v: unknown, fail: (path: string, expected: string, got: string) => never): OptionSchema {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail("options", "an object of option specs (defineOptions)", kindOf(v));
  for (const [key, spec] of Object.entries(v)) {
    const s = spec as Partial<OptionSpec> | null;
    const ok = typeof s === "object" && s !== null && typeof s.doc === "string"
      && ((s.type === "boolean" && typeof s.default === "boolean") || (s.type === "number" && typeof s.default === "number") || (s.type === "string" && typeof s.default === "string"));
    if (!ok) fail(`options.${key}`, `{ type: "boolean" | "number" | "string", default, doc }`, kindOf(spec));
  }
  return v as OptionSchema;
}

function checkOps(ops: unknown, fail: (path: string, expected: string, got: string) => never): SchedExtOps {
  if (typeof ops !== "object" || ops === null) return fail("default export", "to build an ops object", kindOf(ops));
  const o = ops as Record<string, unknown>;
  if (typeof o.name !== "string" || o.name === "") fail("name", "a non-empty string", kindOf(o.name));
  for (const cb of SCHED_EXT_CALLBACKS) {
    const f = o[cb];
    if (f !== undefined && typeof f !== "function") fail(cb, "a function (a sched_ext_ops callback)", kindOf(f));
  }
  return ops as SchedExtOps;
}

function kindOf(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : typeof v === "function" ? "a function" : `a ${typeof v}`;
}

function describe(e: unknown): string {
  try {
    if (e instanceof Error) return `${e.name}: ${e.message}`;
    return String(e);
  } catch {
    return "an exception";
  }
}

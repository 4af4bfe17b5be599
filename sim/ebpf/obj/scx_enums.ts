/**
 * What scx's SCX_ENUM_INIT does in user space before load: every `.rodata` variable named
 * `__SCX_<NAME>` receives the kernel's value of the enumerator `SCX_<NAME>`, read here from
 * scxlab's kernel model. Schedulers built against newer scx headers use these variables
 * instead of compile-time constants.
 */
import { KERNEL_ENUMS } from "./kernel_btf.js";
import { setRodata, type BpfObject } from "./object.js";

/** Fill every `__SCX_*` rodata variable the model knows; returns the names it does not know. */
export function initScxEnums(obj: BpfObject): string[] {
  const values = new Map<string, bigint>();
  for (const en of KERNEL_ENUMS) for (const v of en.values) values.set(`__${v.name}`, v.value);
  const unknown: string[] = [];
  for (const v of obj.rodata) {
    if (!v.name.startsWith("__SCX_")) continue;
    const value = values.get(v.name);
    if (value === undefined) unknown.push(v.name);
    else {
      // C assignment semantics, as `skel->rodata->__SCX_X = value` has: truncate to the variable's width.
      const t = obj.btf.resolved(v.typeId);
      const bits = v.size * 8;
      setRodata(obj, v.name, t.kind === "int" && t.signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value));
    }
  }
  return unknown;
}

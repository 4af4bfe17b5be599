/** The BPF object loader's public surface. */
export { loadBpfObject, type LoadOptions } from "./load.js";
export { BpfObject, setRodata, type LoadedMap } from "./object.js";
export { BpfObjectError } from "./errors.js";
export type { LoadedProgram } from "./link.js";
export type { StructOpsDesc } from "./struct_ops.js";
export type { GlobalVar, UeiLocation } from "./globals.js";
export type { RodataValue } from "./rodata.js";
export { KERNEL_BTF, kernelField, kernelEnumValue, MODEL_NR_CPUS, SCX_OPS_CALLBACKS } from "./kernel_btf.js";
export { KFUNC_PRESENT_TOKEN } from "./link.js";
export { initScxEnums } from "./scx_enums.js";

/** The struct_ops framework shaped like bpf(2): the public names of sim/bpf. */
export * from "./errno.js";
export type { MapId, LinkId } from "./ids.js";
export { BpfProg, progFor, slotFn, type ProgFn } from "./prog.js";
export type { StructOpsType, StructOpsLink } from "./struct_ops_type.js";
export { MAX_MEMBERS, MAX_TRAMP_PAGES, PAGE_SIZE, TRAMPOLINE_BYTES, trampolinePages } from "./members.js";
export { formatEvent, type StructOpsEvent, type StructOpsEventKind, type StructOpsListener } from "./events.js";
export { MAP_STATE_VALUE, type MapInfo, type MapLookupResult, type MapState, type MapStateValue, type ValueHeader } from "./map.js";
export type { LinkInfo } from "./link.js";
export type { Task } from "./bpf_kernel.js";
export { BPFFS_MOUNT } from "./bpffs.js";
export { BpfSyscalls, type LinkUpdateOpts, type MapCreateAttr } from "./syscalls.js";
export { Process, type ExitStatus, type SpawnOptions } from "./process.js";
export { BpfSubsystem } from "./subsystem.js";

/**
 * The user exit info: when the scheduler exits, the object's `uei` variable receives the exit
 * kind (the kernel's number), exit code, reason and message, as UEI_RECORD would copy them from
 * scx_exit_info, so that whoever reads the object's data afterwards (scx's UEI_REPORT) sees them.
 */
import type { ExitInfo } from "../../result.js";
import type { BpfAddr, BpfMemory } from "../memory.js";
import type { BpfObject } from "../obj/index.js";
import { kernelEnumValue, kernelField } from "../obj/index.js";

const STR_BYTES = 1024;

/** A struct scx_exit_info (kernel model layout) with its strings, for ops.exit's argument. */
export class ExitInfoMirror {
  readonly addr: BpfAddr;
  private readonly strings: BpfAddr;
  private readonly f = {
    kind: kernelField("scx_exit_info", "kind").offset,
    code: kernelField("scx_exit_info", "exit_code").offset,
    reason: kernelField("scx_exit_info", "reason").offset,
    msg: kernelField("scx_exit_info", "msg").offset,
    dump: kernelField("scx_exit_info", "dump").offset,
    size: kernelField("scx_exit_info", "dump").offset + 8,
  };

  constructor(private readonly memory: BpfMemory) {
    this.addr = memory.alloc(this.f.size, { name: "scx_exit_info", writable: false, kind: "kernel_object" });
    this.strings = memory.alloc(3 * STR_BYTES, { name: "scx_exit_info strings", writable: false, kind: "kernel_object" });
  }

  /** Fill from `ei`; returns the struct's address. */
  fill(ei: ExitInfo): BpfAddr {
    const m = this.memory, f = this.f;
    const b = m.hostBytes(this.addr, f.size);
    b.fill(0);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    dv.setInt32(f.kind, Number(kernelEnumValue(ei.kind)), true);
    dv.setBigInt64(f.code, BigInt(Math.trunc(ei.exitCode)), true);
    const strs = m.hostBytes(this.strings, 3 * STR_BYTES);
    strs.fill(0);
    writeString(strs, { offset: 0, size: STR_BYTES }, ei.reason);
    writeString(strs, { offset: STR_BYTES, size: STR_BYTES }, ei.msg);
    dv.setUint32(f.reason, this.strings, true);
    dv.setUint32(f.msg, this.strings + STR_BYTES, true);
    dv.setUint32(f.dump, this.strings + 2 * STR_BYTES, true);
    return this.addr;
  }
}

export function recordUei(obj: BpfObject, ei: ExitInfo): void {
  const uei = obj.uei;
  if (uei === undefined) return;
  const bytes = obj.varBytes(uei);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = uei.members.kind;
  if (kind !== undefined && kind.size >= 4) dv.setInt32(kind.offset, Number(kernelEnumValue(ei.kind)), true);
  const code = uei.members.exit_code;
  if (code !== undefined && code.size === 8) dv.setBigInt64(code.offset, BigInt(Math.trunc(ei.exitCode)), true);
  writeString(bytes, uei.members.reason, ei.reason);
  writeString(bytes, uei.members.msg, ei.msg);
}

function writeString(bytes: Uint8Array, at: { offset: number; size: number } | undefined, s: string): void {
  if (at === undefined || at.size === 0) return;
  const out = bytes.subarray(at.offset, at.offset + at.size);
  out.fill(0);
  const n = Math.min(s.length, at.size - 1);
  for (let k = 0; k < n; k++) out[k] = s.charCodeAt(k) & 0xff;
}

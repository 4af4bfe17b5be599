/**
 * The user exit info: when the scheduler exits, the object's `uei` variable receives the exit
 * kind (the kernel's number), exit code, reason and message, as UEI_RECORD would copy them from
 * scx_exit_info, so that whoever reads the object's data afterwards (scx's UEI_REPORT) sees them.
 */
import type { ExitInfo } from "../../result.js";
import type { BpfObject } from "../obj/index.js";
import { kernelEnumValue } from "../obj/index.js";

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

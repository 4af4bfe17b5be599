/**
 * A struct_ops link: ATTACHED(map) or DETACHED, reference counted by its files, pins and
 * temporary holds. Each successful reg is paired with exactly one unreg, from detach or from
 * the release of the last reference, never both.
 */
import { EINVAL, ENOENT, ENOLINK, EOPNOTSUPP, EPERM } from "./errno.js";
import type { LinkId, MapId } from "./ids.js";
import type { BpfKernel } from "./bpf_kernel.js";
import type { StructOpsMap } from "./map.js";
import { asError } from "./members.js";
import type { StructOpsLink } from "./struct_ops_type.js";

export interface LinkInfo {
  readonly id: LinkId;
  readonly type: "struct_ops";
  /** 0 once detached. */
  readonly mapId: MapId | 0;
}

export class LinkObject implements StructOpsLink {
  /** The attached map; null while reg runs, after a failed reg, and once detached. */
  map: StructOpsMap | null = null;
  private refs = 1;

  constructor(
    private readonly kernel: BpfKernel,
    readonly id: LinkId,
  ) {}

  get mapId(): MapId | 0 {
    return this.map?.id ?? 0;
  }

  info(): LinkInfo {
    return { id: this.id, type: "struct_ops", mapId: this.mapId };
  }

  get(): void {
    this.refs++;
  }

  put(): void {
    if (--this.refs === 0) this.dealloc();
  }

  /** BPF_LINK_DETACH, also the hook a subsystem may call itself. */
  detach(): number {
    if (this.refs === 0) return -ENOENT; // bpf_link_inc_not_zero failed: already being freed
    this.get();
    try {
      const map = this.kernel.withUpdateMutex(() => {
        const m = this.map;
        if (m === null) return null;
        this.kernel.unreg(m, this);
        this.map = null;
        m.put(false);
        return m;
      });
      if (map !== null) this.kernel.hup(map, this);
      return 0;
    } finally {
      this.put();
    }
  }

  /** Throws away a link whose reg failed: nobody else has seen it, and it gets no unreg. */
  abandon(): void {
    this.refs = 0;
  }

  /** Last reference gone: unregister if still attached (no update mutex, as in the kernel). */
  private dealloc(): void {
    this.kernel.links.delete(this.id);
    const m = this.map;
    if (m === null) return;
    this.kernel.unreg(m, this);
    this.map = null;
    m.put(false);
  }
}

/** BPF_LINK_CREATE for struct_ops once the map fd is resolved and an fd slot is known to exist. */
export function createLink(kernel: BpfKernel, map: StructOpsMap): LinkObject | number {
  if (!map.validToReg) return -EINVAL;
  map.get(false);
  const link = new LinkObject(kernel, kernel.linkIds.next());
  let r: number = -EINVAL; // stays nonzero if reg throws, so the finally undoes the half-built link
  try {
    r = kernel.withUpdateMutex(() => {
      const err = kernel.reg(map, link);
      if (err === 0) link.map = map;
      return err;
    });
  } finally {
    if (r !== 0) {
      link.abandon();
      map.put(false);
    }
  }
  if (r !== 0) return asError(r);
  kernel.links.set(link.id, link);
  return link;
}

/** The struct_ops half of BPF_LINK_UPDATE (§2.8 steps 4-7); `oldMap` is set only with BPF_F_REPLACE. */
export function updateLink(kernel: BpfKernel, link: LinkObject, newMap: StructOpsMap, oldMap: StructOpsMap | null): number {
  if (!newMap.validToReg) return -EINVAL;
  if (!newMap.type.update) return -EOPNOTSUPP;
  return kernel.withUpdateMutex(() => {
    const cur = link.map;
    if (cur === null) return -ENOLINK;
    if (oldMap !== null && cur !== oldMap) return -EPERM;
    if (cur.type !== newMap.type) return -EINVAL;
    const r = kernel.update(newMap, cur, link);
    if (r !== 0) return asError(r);
    newMap.get(false);
    link.map = newMap;
    cur.put(false);
    return 0;
  });
}

/**
 * The bpf(2) facade one process uses. Every call returns a result or a negative errno, never
 * throws for a caller's mistake; the check order follows the kernel's so the first error wins.
 */
import { getPinned, pin, unpin } from "./bpffs.js";
import { BPF_F_LINK, BPF_F_REPLACE, EBADF, EINVAL, EMFILE, ENOENT, ENOTSUPP, EPERM, EPOLLHUP } from "./errno.js";
import type { FdTable } from "./files.js";
import type { LinkId, MapId } from "./ids.js";
import type { BpfKernel, BpfObject } from "./bpf_kernel.js";
import { createLink, updateLink, type LinkInfo, type LinkObject } from "./link.js";
import { StructOpsMap, type MapInfo, type MapLookupResult, type ValueHeader } from "./map.js";

export interface MapCreateAttr {
  /** Only "struct_ops" maps are modelled; anything else is -EINVAL. */
  readonly type: string;
  /** The struct_ops type name; stands in for btf_vmlinux_value_type_id ("" is id 0). */
  readonly valueType: string;
  readonly flags?: number;
  /** Default 4. */
  readonly keySize?: number;
  /** Default: the type's valueSize. */
  readonly valueSize?: number;
  /** Default 1. */
  readonly maxEntries?: number;
}

export interface LinkUpdateOpts {
  /** 0 or BPF_F_REPLACE. */
  readonly flags?: number;
  /** With BPF_F_REPLACE: the map the link must currently point at. */
  readonly oldMapFd?: number;
}

/** What the facade needs from its process. */
export interface SyscallContext {
  readonly kernel: BpfKernel;
  readonly fds: FdTable;
  readonly capBpf: boolean;
  readonly capSysAdmin: boolean;
  /** Runs `fn` as the process; throws if it has exited. */
  enter<T>(fn: () => T): T;
}

export class BpfSyscalls {
  constructor(private readonly ctx: SyscallContext) {}

  private get kernel(): BpfKernel {
    return this.ctx.kernel;
  }

  /** bpf_map_get: -EBADF for no such fd, -EINVAL for an fd that is not a map. */
  private mapOf(fd: number): StructOpsMap | number {
    const e = this.ctx.fds.get(fd);
    if (e === undefined) return -EBADF;
    return e.file.obj.kind === "map" ? e.file.obj.map : -EINVAL;
  }

  /** bpf_link_get_from_fd: -EBADF for no such fd, -EINVAL for an fd that is not a link. */
  private linkOf(fd: number): LinkObject | number {
    const e = this.ctx.fds.get(fd);
    if (e === undefined) return -EBADF;
    return e.file.obj.kind === "link" ? e.file.obj.link : -EINVAL;
  }

  /** BPF_MAP_CREATE (§2.3): a new map fd or -errno. */
  mapCreate(attr: MapCreateAttr): number {
    return this.ctx.enter(() => {
      if (!this.ctx.capBpf) return -EPERM;
      const flags = attr.flags ?? 0;
      const keySize = attr.keySize ?? 4;
      const maxEntries = attr.maxEntries ?? 1;
      if (attr.type !== "struct_ops" || keySize !== 4 || maxEntries !== 1) return -EINVAL;
      if ((flags & ~BPF_F_LINK) !== 0 || attr.valueType === "") return -EINVAL;
      const type = this.kernel.types.get(attr.valueType);
      if (type === undefined) return -ENOTSUPP;
      const valueSize = attr.valueSize ?? type.valueSize;
      if (valueSize !== type.valueSize) return -EINVAL;
      const map = new StructOpsMap(this.kernel, this.kernel.mapIds.next(), type, { flags, keySize, valueSize, maxEntries });
      map.get(true);
      this.kernel.maps.set(map.id, map);
      return this.ctx.fds.installNew({ kind: "map", map });
    });
  }

  /** BPF_MAP_UPDATE_ELEM (§2.4): 0 or -errno. `value` is kept by reference as the map's kdata. */
  mapUpdateElem(fd: number, key: number, value: object, flags = 0, header?: ValueHeader): number {
    return this.ctx.enter(() => {
      const map = this.mapOf(fd);
      return typeof map === "number" ? map : map.update(key, value, flags, header);
    });
  }

  /** BPF_MAP_LOOKUP_ELEM (§2.6). */
  mapLookupElem(fd: number, key: number): MapLookupResult | number {
    return this.ctx.enter(() => {
      const map = this.mapOf(fd);
      return typeof map === "number" ? map : map.lookup(key);
    });
  }

  /** BPF_MAP_DELETE_ELEM (§2.5): 0 or -errno; the key is ignored, as in the kernel. */
  mapDeleteElem(fd: number, _key: number): number {
    return this.ctx.enter(() => {
      const map = this.mapOf(fd);
      return typeof map === "number" ? map : map.delete();
    });
  }

  /** BPF_MAP_GET_NEXT_KEY (§2.6): the next key (always 0) or -errno (-ENOENT after key 0). */
  mapGetNextKey(fd: number, key: number | null): number {
    return this.ctx.enter(() => {
      const map = this.mapOf(fd);
      if (typeof map === "number") return map;
      return key === 0 ? -ENOENT : 0;
    });
  }

  /** BPF_OBJ_GET_INFO_BY_FD on a map fd. */
  mapInfo(fd: number): MapInfo | number {
    return this.ctx.enter(() => {
      const map = this.mapOf(fd);
      return typeof map === "number" ? map : map.info();
    });
  }

  /** BPF_MAP_GET_FD_BY_ID (needs CAP_SYS_ADMIN): how bpftool reaches a map no process holds. */
  mapGetFdById(id: MapId): number {
    return this.ctx.enter(() => {
      if (!this.ctx.capSysAdmin) return -EPERM;
      const map = this.kernel.maps.get(id);
      if (map === undefined) return -ENOENT;
      map.get(true);
      return this.ctx.fds.installNew({ kind: "map", map });
    });
  }

  /** BPF_LINK_CREATE with attach type BPF_STRUCT_OPS (§2.7): a link fd or -errno. */
  linkCreate(mapFd: number): number {
    return this.ctx.enter(() => {
      const map = this.mapOf(mapFd);
      if (typeof map === "number") return map;
      if (!map.validToReg) return -EINVAL;
      if (!this.ctx.fds.hasRoom()) return -EMFILE;
      const link = createLink(this.kernel, map);
      return typeof link === "number" ? link : this.ctx.fds.installNew({ kind: "link", link });
    });
  }

  /** BPF_LINK_UPDATE (§2.8): 0 or -errno. */
  linkUpdate(linkFd: number, newMapFd: number, opts: LinkUpdateOpts = {}): number {
    return this.ctx.enter(() => {
      const flags = opts.flags ?? 0;
      if ((flags & ~BPF_F_REPLACE) !== 0) return -EINVAL;
      const link = this.linkOf(linkFd);
      if (typeof link === "number") return link;
      const newMap = this.mapOf(newMapFd);
      if (typeof newMap === "number") return newMap;
      let oldMap: StructOpsMap | null = null;
      if (flags & BPF_F_REPLACE) {
        const m = this.mapOf(opts.oldMapFd ?? 0);
        if (typeof m === "number") return m;
        oldMap = m;
      } else if ((opts.oldMapFd ?? 0) !== 0) {
        return -EINVAL;
      }
      return updateLink(this.kernel, link, newMap, oldMap);
    });
  }

  /** BPF_LINK_DETACH (§2.9, v6.11+): 0 or -errno; the fd stays open. */
  linkDetach(linkFd: number): number {
    return this.ctx.enter(() => {
      const link = this.linkOf(linkFd);
      return typeof link === "number" ? link : link.detach();
    });
  }

  /** poll(2) on a link fd: EPOLLHUP once detached, else 0; -errno for a bad fd. */
  linkPoll(linkFd: number): number {
    return this.ctx.enter(() => {
      const link = this.linkOf(linkFd);
      if (typeof link === "number") return link;
      return link.map === null ? EPOLLHUP : 0;
    });
  }

  /** BPF_OBJ_GET_INFO_BY_FD on a link fd. */
  linkInfo(linkFd: number): LinkInfo | number {
    return this.ctx.enter(() => {
      const link = this.linkOf(linkFd);
      return typeof link === "number" ? link : link.info();
    });
  }

  /** BPF_LINK_GET_FD_BY_ID (needs CAP_SYS_ADMIN). */
  linkGetFdById(id: LinkId): number {
    return this.ctx.enter(() => {
      if (!this.ctx.capSysAdmin) return -EPERM;
      const link = this.kernel.links.get(id);
      if (link === undefined) return -ENOENT;
      link.get();
      return this.ctx.fds.installNew({ kind: "link", link });
    });
  }

  /** BPF_OBJ_PIN: 0 or -errno (-EINVAL when the fd is not a bpf object, bad fds included). */
  objPin(fd: number, path: string): number {
    return this.ctx.enter(() => {
      const obj = this.ctx.fds.get(fd)?.file.obj;
      if (obj === undefined || obj.kind === "tty") return -EINVAL;
      return pin(this.kernel, obj, path);
    });
  }

  /** BPF_OBJ_GET: a new fd (its own file) for the pinned object, or -errno. */
  objGet(path: string): number {
    return this.ctx.enter(() => {
      const obj: BpfObject | number = getPinned(this.kernel, path);
      return typeof obj === "number" ? obj : this.ctx.fds.installNew(obj);
    });
  }

  /** unlink(2) of a pin path. */
  objUnpin(path: string): number {
    return this.ctx.enter(() => unpin(this.kernel, path));
  }
}

/** The process, fd and reference model around the conformance cases (§1.5, §2.10, §3.7, §5). */
import { describe, expect, it } from "vitest";
import {
  BPF_F_LINK, BpfSubsystem, EBADF, EEXIST, EINVAL, EMFILE, ENOENT, ENOTSUPP, EPERM, formatEvent,
  strerror, errnoName, type LinkId, type StructOpsLink,
} from "../../sim/bpf/index.js";
import { tcpOps, testmodType, type Ops } from "./types.js";
import { attach, loadMap, lookup, mapId, world } from "./world.js";

describe("errno", () => {
  it("matches libc text and kernel numbers", () => {
    expect(strerror(22)).toBe("Invalid argument");
    expect(strerror(67)).toBe("Link has been severed");
    expect(strerror(115)).toBe("Operation now in progress");
    expect(strerror(524)).toBe("Unknown error 524");
    expect(strerror(9999)).toBe("Unknown error 9999");
    expect(errnoName(-ENOTSUPP)).toBe("ENOTSUPP");
    expect(BPF_F_LINK).toBe(8192);
  });
});

describe("type registration", () => {
  it("refuses duplicate names, failing init and more than 64 members", () => {
    const sys = new BpfSubsystem();
    expect(sys.registerStructOpsType(testmodType())).toBe(0);
    expect(sys.registerStructOpsType(testmodType())).toBe(-EEXIST);
    expect(sys.registerStructOpsType({ ...testmodType(), name: "broken", init: () => -EINVAL })).toBe(-EINVAL);
    expect(sys.findType("broken")).toBeUndefined();
    const wide = { ...testmodType(), name: "wide", members: Array.from({ length: 65 }, (_, i) => `m${i}`) };
    expect(sys.registerStructOpsType(wide)).toBe(-ENOTSUPP);
  });
});

describe("processes and references", () => {
  it("needs CAP_BPF to create a map, CAP_SYS_ADMIN to get an fd by id", () => {
    const { sys, loader } = world();
    const user = sys.spawnProcess("user", { capBpf: false });
    expect(user.bpf.mapCreate({ type: "struct_ops", valueType: "bpf_testmod_ops" })).toBe(-EPERM);
    const map = loadMap(loader, "bpf_testmod_ops", {});
    expect(user.bpf.mapGetFdById(mapId(loader, map))).toBe(-EPERM);
  });

  it("fds start at 3; bad fds give -EBADF, fds of the wrong kind -EINVAL", () => {
    const { loader } = world();
    const { map, link } = attach(loader, "bpf_testmod_ops", {});
    expect(map).toBe(3);
    expect(link).toBe(4);
    expect(loader.bpf.linkCreate(42)).toBe(-EBADF);
    expect(loader.bpf.linkCreate(link)).toBe(-EINVAL);
    expect(loader.bpf.linkDetach(map)).toBe(-EINVAL);
    expect(loader.bpf.mapLookupElem(1, 0)).toBe(-EINVAL);
    expect(loader.bpf.objPin(99, "/sys/fs/bpf/x")).toBe(-EINVAL);
    expect(loader.close(99)).toBe(-EBADF);
  });

  it("a registered plain map survives its loader; bpftool deletes it by id", () => {
    const { sys, loader, tcp } = world();
    const map = loadMap(loader, "tcp_congestion_ops", tcpOps("left_behind"), false);
    const id = mapId(loader, map);
    loader.crash("SIGKILL");
    expect(loader.exitStatus).toEqual({ signal: "SIGKILL" });
    expect(tcp.state.registry.has("left_behind")).toBe(true);
    expect(sys.listMaps()).toMatchObject([{ id, state: "INUSE", refcnt: 1, usercnt: 0 }]);
    const bpftool = sys.spawnProcess("bpftool");
    const fd = bpftool.bpf.mapGetFdById(id);
    expect(bpftool.bpf.mapDeleteElem(fd, 0)).toBe(0);
    expect(tcp.state.registry.size).toBe(0);
    bpftool.exit(0);
    expect(sys.listMaps()).toEqual([]);
  });

  it("exit and crash close every fd: the link is unregistered in the dying process's context", () => {
    const { sys, loader, testmod, events } = world();
    attach(loader, "bpf_testmod_ops", {});
    loader.crash();
    expect(loader.alive).toBe(false);
    expect(loader.exitStatus).toEqual({ signal: "SIGSEGV" });
    expect(testmod.count("unreg")).toBe(1);
    expect(events.at(-1)).toMatchObject({ kind: "unreg", process: "loader", pid: loader.pid });
    expect(sys.listMaps()).toEqual([]);
    expect(() => loader.bpf.linkCreate(3)).toThrow(/dead/);
    expect(() => loader.exit(0)).toThrow(/dead/);
  });

  it("exec closes the O_CLOEXEC link fd; a dup'd fd (no FD_CLOEXEC) survives it", () => {
    const { loader, testmod } = world();
    const { link } = attach(loader, "bpf_testmod_ops", {});
    expect(loader.exec("scx_simple")).toBe(0);
    expect(testmod.count("unreg")).toBe(1);
    const again = attach(loader, "bpf_testmod_ops", {});
    const copy = loader.dup(again.link);
    expect(loader.exec()).toBe(0);
    expect(testmod.count("unreg")).toBe(1);
    expect(loader.openFds()).toEqual([0, 1, 2, copy]);
    expect(loader.close(copy)).toBe(0);
    expect(testmod.count("unreg")).toBe(2);
    expect(link).toBe(again.link);
  });

  it("a fork child keeps the link alive after the parent exits", () => {
    const { loader, testmod } = world();
    attach(loader, "bpf_testmod_ops", {});
    const child = loader.fork("child");
    loader.exit(0);
    expect(testmod.count("unreg")).toBe(0);
    child.exit(0);
    expect(testmod.count("unreg")).toBe(1);
  });

  it("two links on one map share kdata; the subsystem's reg arbitrates (tcp: -EEXIST, no unreg)", () => {
    const { loader, testmod, tcp } = world();
    const v: Ops = {};
    const { map } = attach(loader, "bpf_testmod_ops", v);
    expect(loader.bpf.linkCreate(map)).toBeGreaterThanOrEqual(3);
    expect(testmod.calls.map((c) => c.value)).toEqual([v, v]);
    expect(lookup(loader, map).refcnt).toBe(2);
    const t = attach(loader, "tcp_congestion_ops", tcpOps("dup"));
    expect(loader.bpf.linkCreate(t.map)).toBe(-EEXIST);
    expect(tcp.count("unreg")).toBe(0);
  });

  it("the map outlives its fd while a link holds it, and is freed with the last link", () => {
    const { sys, loader } = world();
    const { map, link } = attach(loader, "bpf_testmod_ops", {});
    loader.close(map);
    expect(sys.listMaps()).toHaveLength(1);
    expect(loader.bpf.linkDetach(link)).toBe(0);
    expect(sys.listMaps()).toEqual([]);
    expect(sys.listLinks()).toHaveLength(1);
    loader.close(link);
    expect(sys.listLinks()).toEqual([]);
  });

  it("pins: only under /sys/fs/bpf, names unique, unpin of nothing -> -ENOENT", () => {
    const { sys, loader } = world();
    const { link } = attach(loader, "bpf_testmod_ops", {});
    expect(loader.bpf.objPin(link, "/tmp/x")).toBe(-EPERM);
    expect(loader.bpf.objPin(link, "/sys/fs/bpf/l")).toBe(0);
    expect(loader.bpf.objPin(link, "/sys/fs/bpf/l")).toBe(-EEXIST);
    expect(loader.bpf.objGet("/sys/fs/bpf/none")).toBe(-ENOENT);
    expect(loader.bpf.objUnpin("/sys/fs/bpf/none")).toBe(-ENOENT);
    expect(sys.listPins()).toEqual(["/sys/fs/bpf/l"]);
  });

  it("running out of fds: link create -> -EMFILE before reg runs", () => {
    const { loader, testmod } = world();
    const map = loadMap(loader, "bpf_testmod_ops", {});
    while (loader.dup(0) >= 0);
    expect(loader.dup(0)).toBe(-EMFILE);
    expect(loader.bpf.linkCreate(map)).toBe(-EMFILE);
    expect(testmod.count("reg")).toBe(0);
  });

  it("link ids are visible only after reg succeeds; linkGetFdById reaches them", () => {
    const { sys, loader } = world();
    const { link } = attach(loader, "bpf_testmod_ops", {});
    const info = loader.bpf.linkInfo(link);
    if (typeof info === "number") throw new Error("link info");
    const other = sys.spawnProcess("other");
    const fd = other.bpf.linkGetFdById(info.id);
    expect(other.bpf.linkInfo(fd)).toEqual(info);
    expect(other.bpf.linkGetFdById(12345 as LinkId)).toBe(-ENOENT);
  });
});

describe("subsystem-side detach and the update mutex", () => {
  it("a subsystem may detach a link itself; detaching from inside reg would deadlock and throws", () => {
    const sys = new BpfSubsystem();
    let held: StructOpsLink | null = null;
    let detachInReg = false;
    const t = {
      ...testmodType(), name: "selfdetach",
      reg(_v: Ops, link: StructOpsLink | null) {
        held = link;
        if (detachInReg) link?.detach();
        return 0;
      },
    };
    expect(sys.registerStructOpsType(t)).toBe(0);
    const log: string[] = [];
    sys.onEvent((e) => log.push(formatEvent(e)));
    const p = sys.spawnProcess("loader");
    const { link } = attach(p, "selfdetach", {});
    expect((held as StructOpsLink | null)?.detach()).toBe(0);
    expect(p.bpf.linkPoll(link)).not.toBe(0);
    expect(log.some((l) => / unreg map \d+ link \d+$/.test(l))).toBe(true);
    expect(log[0]).toMatch(/^bpf: loader\[\d+\]: selfdetach reg map \d+ link \d+ = 0$/);
    p.close(link);
    expect((held as StructOpsLink | null)?.detach()).toBe(-ENOENT);
    detachInReg = true;
    const map = loadMap(p, "selfdetach", {});
    expect(() => p.bpf.linkCreate(map)).toThrow(/update_mutex/);
  });
});

import { describe, expect, it } from "vitest";
import { GOT_MAX, WorkloadError, renderGot } from "../../workloads/errors.js";

describe("WorkloadError", () => {
  it("formats file, path, expected and got on one line", () => {
    const e = new WorkloadError({
      file: "web.json", path: "tasks.web.phases.p1.run", expected: "microseconds ≥ 0 or a distribution", got: renderGot("x"),
    });
    expect(e.message).toBe('web.json: tasks.web.phases.p1.run: expected microseconds ≥ 0 or a distribution, got "x"');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("WorkloadError");
    expect([e.file, e.path, e.expected, e.got]).toEqual(["web.json", "tasks.web.phases.p1.run", "microseconds ≥ 0 or a distribution", '"x"']);
  });

  it("puts line:column after the file and leaves out an empty path", () => {
    const e = new WorkloadError({ file: "a.json", path: "", expected: "a JSON value", got: "end of input", line: 3, column: 7 });
    expect(e.message).toBe("a.json:3:7: expected a JSON value, got end of input");
    expect([e.line, e.column]).toEqual([3, 7]);
  });

  it("never spans two lines", () => {
    const e = new WorkloadError({ file: "a\nb", path: "p", expected: "x\ny", got: "z" });
    expect(e.message).toBe("a b: p: expected x y, got z");
  });
});

describe("renderGot", () => {
  it("renders values as compact JSON", () => {
    expect(renderGot("x")).toBe('"x"');
    expect(renderGot(12.5)).toBe("12.5");
    expect(renderGot(null)).toBe("null");
    expect(renderGot(true)).toBe("true");
    expect(renderGot([1, "a"])).toBe('[1,"a"]');
    expect(renderGot({ a: 1, b: [true] })).toBe('{"a":1,"b":[true]}');
    expect(renderGot(new Map<string, unknown>([["run", 5]]))).toBe('{"run":5}');
  });

  it("names what JSON cannot hold", () => {
    expect(renderGot(undefined)).toBe("nothing");
    expect(renderGot(NaN)).toBe("NaN");
    expect(renderGot(-Infinity)).toBe("-Infinity");
    expect(renderGot(10n)).toBe("10n");
    expect(renderGot(() => 1)).toBe("a function");
    expect(renderGot([undefined])).toBe("[undefined]");
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(renderGot(cyc)).toBe('{"self":[circular]}');
  });

  it(`cuts long values to ${GOT_MAX} characters ending in …`, () => {
    const s = renderGot("a".repeat(100));
    expect(s.length).toBe(GOT_MAX);
    expect(s).toBe(`"${"a".repeat(GOT_MAX - 2)}…`);
    const big = renderGot(Array.from({ length: 100_000 }, (_, i) => i));
    expect(big.length).toBe(GOT_MAX);
    expect(big.startsWith("[0,1,2,3")).toBe(true);
  });

  it("escapes newlines inside strings", () => {
    expect(renderGot("a\nb")).toBe('"a\\nb"');
  });
});

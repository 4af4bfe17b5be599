/**
 * `scxlab list` prints cli/commands/list_table.ts instead of loading every scheduler and workload
 * module (issue 20.4). This test writes that table from the registries and fails when it differs:
 * after changing a scheduler, an option or a built-in workload, regenerate it with
 * `npx vitest run test/cli/list_table.test.ts -u`.
 */
import { describe, expect, it } from "vitest";
import { SCHEDULERS } from "../../schedulers/registry.js";
import { BUILTINS } from "../../workloads/builtin/index.js";
import { LIST_TABLE } from "../../cli/commands/list_table.js";

type Docs = Readonly<Record<string, { readonly default: string | number | boolean; readonly doc: string }>>;

/** One line per option or parameter, so a change to one shows as a one-line diff. */
function docs(o: Docs): string {
  const lines = Object.entries(o).map(([k, v]) => `        ${JSON.stringify(k)}: ${JSON.stringify({ default: v.default, doc: v.doc })},\n`);
  return lines.length === 0 ? "{}" : `{\n${lines.join("")}      }`;
}

function tableSource(): string {
  const schedulers = SCHEDULERS.map((s) =>
    `    {\n      name: ${JSON.stringify(s.name)},\n      description: ${JSON.stringify(s.description)},\n`
    + `      origin: ${JSON.stringify(s.origin)},\n      options: ${docs(s.options)},\n    },\n`).join("");
  const workloads = BUILTINS.map((b) =>
    `    {\n      name: ${JSON.stringify(b.name)},\n      description: ${JSON.stringify(b.description)},\n`
    + `      params: ${docs(b.params)},\n    },\n`).join("");
  return `/**
 * What \`scxlab list\` shows of schedulers/registry.ts and workloads/builtin/index.ts, in their
 * order, so that listing loads none of their modules. Written by test/cli/list_table.test.ts
 * (\`npx vitest run test/cli/list_table.test.ts -u\`), which fails when it is out of date.
 */
import type { ListTable } from "./list.js";

export const LIST_TABLE: ListTable = {
  schedulers: [
${schedulers}  ],
  workloads: [
${workloads}  ],
};
`;
}

describe("the table scxlab list prints", () => {
  it("is the registries' schedulers and built-in workloads, every option and parameter (if not: rerun this file with -u)", async () => {
    await expect(tableSource()).toMatchFileSnapshot("../../cli/commands/list_table.ts");
  });

  it("holds the registries' values themselves (a default JSON cannot spell, such as Infinity, would differ)", () => {
    const plain = (o: Docs) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { default: v.default, doc: v.doc }]));
    expect(LIST_TABLE).toEqual({
      schedulers: SCHEDULERS.map((s) => ({ name: s.name, description: s.description, origin: s.origin, options: plain(s.options) })),
      workloads: BUILTINS.map((b) => ({ name: b.name, description: b.description, params: plain(b.params) })),
    });
  });
});

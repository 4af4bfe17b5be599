/**
 * The loader recipes by sched_ext_ops name, and applying one: options split into the recipe's
 * (upstream names) and plain `.rodata` variables, the plan computed for the machine.
 */
import { RecipeError, type LoaderRecipe, type RecipeMachine, type RecipeOptions, type RecipePlan } from "./recipe.js";
import { centralRecipe, flatcgRecipe, nestRecipe, qmapRecipe, simpleRecipe } from "./samples.js";
import { beerlandRecipe, bpflandRecipe, flashRecipe, ticklessRecipe } from "./scx_family.js";
import { cosmosRecipe } from "./cosmos.js";
import { p2dqRecipe } from "./p2dq.js";
import { rustyRecipe } from "./rusty.js";
import { lavdRecipe } from "./lavd.js";

export type { LoaderRecipe, RecipeMachine, RecipePlan, SyscallRun } from "./recipe.js";
export { RecipeError } from "./recipe.js";

const RECIPES: readonly LoaderRecipe[] = [
  simpleRecipe, qmapRecipe, centralRecipe, flatcgRecipe, nestRecipe, bpflandRecipe, flashRecipe, beerlandRecipe, ticklessRecipe, cosmosRecipe, p2dqRecipe, rustyRecipe, lavdRecipe,
];

/** The recipe for an object whose sched_ext_ops.name is `ops`, if scxlab has one. */
export function recipeFor(ops: string): LoaderRecipe | undefined {
  return RECIPES.find((r) => r.ops === ops);
}

/** Every recipe (list, docs, tests). */
export function allRecipes(): readonly LoaderRecipe[] {
  return RECIPES;
}

/** `slice-us` and `slice_us` name the same option. */
export function optionKey(name: string): string {
  return name.replace(/-/g, "_");
}

/**
 * Split `-o` options into the recipe's (by upstream name) and the rest (`.rodata` variables),
 * and compute the plan. Throws Error with a one-line reason for a bad value.
 */
export function planRecipe(r: LoaderRecipe, m: RecipeMachine, options: Readonly<Record<string, string>>): { plan: RecipePlan; rest: Record<string, string> } {
  const mine = new Map<string, string>();
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) {
    const key = optionKey(k);
    if (Object.hasOwn(r.options, key)) mine.set(key, v);
    else rest[k] = v;
  }
  const str = (name: string): string => mine.get(name) ?? r.options[name]?.default ?? "";
  const o: RecipeOptions = {
    str,
    num: (name) => {
      const v = str(name).trim();
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new RecipeError(`option ${name}: "${v}" is not a non-negative integer`);
      return Number(v);
    },
    bool: (name) => {
      const v = str(name).trim();
      if (v === "true" || v === "1" || v === "") return v !== "";
      if (v === "false" || v === "0") return false;
      throw new RecipeError(`option ${name}: "${v}" is not true/false`);
    },
  };
  return { plan: r.plan(m, o), rest };
}

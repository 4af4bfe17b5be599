/**
 * The shape of a built-in workload: a named generator of an rt-app-dialect document. Built-ins
 * go through the same parser as files, so they obey (and test) the same grammar.
 */

export type ParamValue = number | boolean | string;

export interface ParamSpec {
  readonly default: ParamValue;
  /** One line: what the parameter means, with its unit. */
  readonly doc: string;
  readonly min?: number;
  readonly max?: number;
  /** Whole numbers only (counts, loops). */
  readonly integer?: boolean;
}

/** An rt-app-dialect document as plain data (what a .json workload file holds). */
export type RtAppDoc = { readonly tasks: Readonly<Record<string, unknown>>; readonly [key: string]: unknown };

export interface Builtin {
  readonly name: string;
  /** One line for `scxlab list`. */
  readonly description: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Params arrive complete and checked against `params` (see load.ts). */
  build(params: Readonly<Record<string, ParamValue>>): RtAppDoc;
}

/** Read a numeric param (already checked by the loader). */
export function num(params: Readonly<Record<string, ParamValue>>, key: string): number {
  return Number(params[key]);
}

/** A CPU hog in rt-app terms: one long run per loop, loop forever, so it is always runnable. */
export const HOG_RUN_US = 100_000;

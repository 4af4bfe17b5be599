/** The shared suite (suite.ts) for every scheduler of every source (sources.ts), on flat scenarios. */
import { allCandidates } from "./sources.js";
import { conformance } from "./suite.js";
import { FLAT } from "./flat.js";

for (const c of await allCandidates()) conformance(c, FLAT);

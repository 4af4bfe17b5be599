/** The shared suite (suite.ts) for every scheduler of every source (sources.ts), on shaped machines with cgroups. */
import { allCandidates } from "./sources.js";
import { conformance } from "./suite.js";
import { SHAPED } from "./shaped.js";

for (const c of await allCandidates()) conformance(c, SHAPED);

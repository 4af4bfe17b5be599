/* Loader test: what a Rust loader writes by path (`topo_config.nr_llcs`, `cpu_llc_ids[3]`) into
 * .rodata and .bss, and two CO-RE cases of vmlinux.h: a field of a typedef'd anonymous struct
 * (atomic_t) and an element of an array field longer locally than in scxlab's model (cpumask). */
#include "scx_min.h"

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
typedef struct {
	int counter;
} atomic_t;
struct cpumask___big {
	unsigned long bits[128];
};
#pragma clang attribute pop

const volatile struct {
	u32 nr_cpus;
	u32 nr_llcs;
	bool smt;
	u16 ratio[3];
} topo = { .nr_cpus = 64, .nr_llcs = 32, .smt = true };

u64 cpu_llc_ids[8];
u64 out[8];
u64 words[4];

char _license[] SEC("license") = "GPL";

/* ctx[0]: an atomic_t, ctx[1]: a cpumask, ctx[2]: an index into it, ctx[3]: words to copy. */
SEC("syscall") int read_paths(u64 *ctx)
{
	atomic_t *a = (void *)ctx[0];
	struct cpumask___big *m = (void *)ctx[1];
	u32 i = ctx[2] & 3;

	out[0] = topo.nr_cpus;
	out[1] = topo.nr_llcs;
	out[2] = topo.smt;
	out[3] = topo.ratio[2];
	out[4] = cpu_llc_ids[3];
	out[5] = a->counter;
	out[6] = m->bits[i];
	/* Copy the first words of the mask, as scx's bitmap library does from a cpumask. */
	for (int k = 0; k < sizeof(struct cpumask___big) / 8; k++) {
		if (k >= ctx[3] || k >= 4)
			break;
		words[k] = m->bits[k];
	}
	return 0;
}

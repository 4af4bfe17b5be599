/*
 * Test program (ours): a global-FIFO scheduler that looks at what ops.dispatch is given and
 * where its BPF timer runs. It counts the prevs with SCX_TASK_QUEUED set in p->scx.flags (a
 * prev still runnable, as the kernel marks a task on a runqueue) and, from a timer started by
 * the first dispatch on a CPU other than 0, records bpf_get_smp_processor_id().
 */
#include "eng_scx.h"

#define SCX_TASK_QUEUED 1

struct tslot { struct bpf_timer timer; };
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, u32); __type(value, struct tslot); } tmap SEC(".maps");

u64 nr_prev, nr_prev_queued, timer_started_on, timer_ran_on, timer_runs;

static int on_timer(void *map, int *key, struct tslot *t)
{
	timer_ran_on = bpf_get_smp_processor_id();
	timer_runs++;
	return 0;
}

OPS(pv_enqueue) int pv_enqueue(u64 *ctx)
{
	scx_bpf_dsq_insert(ARG(0, struct task_struct *), SCX_DSQ_GLOBAL, 1000000, ARG(1, u64));
	return 0;
}

OPS(pv_dispatch) int pv_dispatch(u64 *ctx)
{
	struct task_struct *prev = ARG(1, struct task_struct *);
	s32 cpu = ARG(0, s32);
	u32 zero = 0;
	struct tslot *t;

	if (prev) {
		nr_prev++;
		if (prev->scx.flags & SCX_TASK_QUEUED)
			nr_prev_queued++;
	}
	if (cpu != 0 && !timer_started_on) {
		t = bpf_map_lookup_elem(&tmap, &zero);
		if (!t)
			return 0;
		timer_started_on = cpu;
		bpf_timer_init(&t->timer, &tmap, 1);
		bpf_timer_set_callback(&t->timer, on_timer);
		bpf_timer_start(&t->timer, 500000, 0);
	}
	return 0;
}

SEC(".struct_ops.link")
struct sched_ext_ops pv_ops = {
	.enqueue = (cb)pv_enqueue,
	.dispatch = (cb)pv_dispatch,
	.name = "eng_prev",
};

char _license[] SEC("license") = "GPL";

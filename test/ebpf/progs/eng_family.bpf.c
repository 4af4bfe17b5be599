/* eng_family: a small scheduler of our own that takes bpfland's ops name, so that scxlab's
 * bpfland loader recipe prepares it: it declares the .rodata the recipe writes and the two
 * SEC("syscall") programs the recipe runs (recording what they were given), and its callbacks
 * use the kfuncs the scx family needs: the packed select_cpu_and and insert_vtime forms, DSQ
 * peek, moves from a DSQ iterator (with slice and vtime set), the task setters, a CPU's
 * current task, the node idle masks and picks, and bpf_per_cpu_ptr on a __ksym scxlab's kernel lacks. */
#include "eng_scx.h"

#define STAGE 1
#define SIDE 2
#define MAX_CPUS 64

const volatile bool smt_enabled, numa_enabled, local_pcpu, no_wake_sync, sticky_tasks;
const volatile bool primary_all, preferred_idle_scan, local_kthreads;
const volatile u64 slice_max = 7, slice_min, slice_lag, throttle_ns;
/* Ours, not bpfland's: makes enable_sibling_cpu fail, to test the loader's handling. */
const volatile bool fail_sibling;
const volatile u64 cpu_capacity[MAX_CPUS];
const volatile u64 preferred_cpus[MAX_CPUS];

/* What the loader's syscall programs were given. */
u64 primary_mask, primary_resets, sibling_calls;
s32 sibling_of[MAX_CPUS];
/* What the callbacks saw. */
u64 nr_select_and, nr_pick_node, nr_peek, nr_moved, nr_moved_vtime, nr_move_stale, nr_curr_match, nr_percpu_null, nr_node_masks;
static u64 vtime_now;

struct cpu_arg { s32 cpu_id; };
struct domain_arg { s32 cpu_id; s32 sibling_cpu_id; };
struct scx_bpf_select_cpu_and_args { s32 prev_cpu; u64 wake_flags; u64 flags; };
struct scx_bpf_dsq_insert_vtime_args { u64 dsq_id; u64 slice; u64 vtime; u64 enq_flags; };

s32 __scx_bpf_select_cpu_and(struct task_struct *p, const struct cpumask *allowed, struct scx_bpf_select_cpu_and_args *args) __ksym;
bool __scx_bpf_dsq_insert_vtime(struct task_struct *p, struct scx_bpf_dsq_insert_vtime_args *args) __ksym;
s32 scx_bpf_pick_idle_cpu_node(const struct cpumask *allowed, int node, u64 flags) __ksym;
const struct cpumask *scx_bpf_get_idle_cpumask_node(int node) __ksym;
const struct cpumask *scx_bpf_get_idle_smtmask_node(int node) __ksym;
struct task_struct *scx_bpf_dsq_peek(u64 dsq_id) __ksym;
bool scx_bpf_dsq_move(struct bpf_iter_scx_dsq *it, struct task_struct *p, u64 dsq_id, u64 enq_flags) __ksym;
bool scx_bpf_dsq_move_vtime(struct bpf_iter_scx_dsq *it, struct task_struct *p, u64 dsq_id, u64 enq_flags) __ksym;
void scx_bpf_dsq_move_set_slice(struct bpf_iter_scx_dsq *it, u64 slice) __ksym;
void scx_bpf_dsq_move_set_vtime(struct bpf_iter_scx_dsq *it, u64 vtime) __ksym;
bool scx_bpf_task_set_slice(struct task_struct *p, u64 slice) __ksym;
bool scx_bpf_task_set_dsq_vtime(struct task_struct *p, u64 vtime) __ksym;
struct task_struct *scx_bpf_cpu_curr(s32 cpu) __ksym;
extern int sched_core_priority __ksym __attribute__((weak));
static void *(*bpf_per_cpu_ptr)(const void *percpu_ptr, u32 cpu) = (void *)153;

SEC("syscall") int enable_primary_cpu(struct cpu_arg *a)
{
	if (a->cpu_id < 0) {
		primary_mask = 0;
		primary_resets++;
	} else if (a->cpu_id < MAX_CPUS) {
		primary_mask |= 1ULL << a->cpu_id;
	}
	return 0;
}

SEC("syscall") int enable_sibling_cpu(struct domain_arg *a)
{
	if (a->cpu_id < 0 || a->cpu_id >= MAX_CPUS || fail_sibling)
		return -22;
	sibling_of[a->cpu_id] = a->sibling_cpu_id;
	sibling_calls++;
	return 0;
}

OPS(fam_select_cpu) int fam_select_cpu(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	struct scx_bpf_select_cpu_and_args args = { .prev_cpu = ARG(1, s32), .wake_flags = ARG(2, u64), .flags = 0 };
	s32 cpu = __scx_bpf_select_cpu_and(p, p->cpus_ptr, &args);

	if (cpu >= 0) {
		nr_select_and++;
	} else {
		cpu = scx_bpf_pick_idle_cpu_node(p->cpus_ptr, 0, 0);
		if (cpu < 0)
			return ARG(1, s32);
		nr_pick_node++;
	}
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_max, 0);
	return cpu;
}

OPS(fam_enqueue) int fam_enqueue(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	u64 vtime = p->scx.dsq_vtime;
	struct scx_bpf_dsq_insert_vtime_args args;

	if (vtime_before(vtime, vtime_now - slice_max))
		vtime = vtime_now - slice_max;
	scx_bpf_task_set_dsq_vtime(p, vtime);
	scx_bpf_task_set_slice(p, slice_max);
	args.dsq_id = STAGE;
	args.slice = 0;
	args.vtime = p->scx.dsq_vtime;
	args.enq_flags = ARG(1, u64);
	__scx_bpf_dsq_insert_vtime(p, &args);
	return 0;
}

OPS(fam_dispatch) int fam_dispatch(u64 *ctx)
{
	struct bpf_iter_scx_dsq it;
	struct task_struct *p;
	u32 cpu = ARG(0, s32);
	int n = 0;

	if (scx_bpf_dsq_peek(STAGE))
		nr_peek++;
	/* Every other CPU goes through the side DSQ, to use both kinds of move. */
	bpf_iter_scx_dsq_new(&it, STAGE, 0);
	while ((p = bpf_iter_scx_dsq_next(&it)) && n++ < 8) {
		if (cpu & 1) {
			scx_bpf_dsq_move_set_vtime(&it, p->scx.dsq_vtime);
			if (scx_bpf_dsq_move_vtime(&it, p, SIDE, 0)) {
				nr_moved_vtime++;
				/* moved already: a second move of the same task must fail */
				if (!scx_bpf_dsq_move(&it, p, SCX_DSQ_LOCAL, 0))
					nr_move_stale++;
				break;
			}
		} else {
			scx_bpf_dsq_move_set_slice(&it, slice_max / 2);
			if (scx_bpf_dsq_move(&it, p, SCX_DSQ_LOCAL, 0)) {
				nr_moved++;
				break;
			}
		}
	}
	bpf_iter_scx_dsq_destroy(&it);
	scx_bpf_dsq_move_to_local(SIDE);
	return 0;
}

OPS(fam_running) int fam_running(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	u32 cpu = bpf_get_smp_processor_id();
	const struct cpumask *idle, *smt;

	if (scx_bpf_cpu_curr(cpu) == p)
		nr_curr_match++;
	if (!&sched_core_priority || !bpf_per_cpu_ptr(&sched_core_priority, cpu))
		nr_percpu_null++;
	idle = scx_bpf_get_idle_cpumask_node(0);
	smt = scx_bpf_get_idle_smtmask_node(0);
	if (bpf_cpumask_weight(smt) <= bpf_cpumask_weight(idle))
		nr_node_masks++;
	scx_bpf_put_cpumask(smt);
	scx_bpf_put_cpumask(idle);
	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
	return 0;
}

OPS(fam_stopping) int fam_stopping(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);

	p->scx.dsq_vtime += (slice_max - p->scx.slice) * 100 / p->scx.weight;
	return 0;
}

OPS(fam_enable) int fam_enable(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);

	p->scx.dsq_vtime = vtime_now;
	return 0;
}

OPS(fam_init) int fam_init(u64 *ctx)
{
	int r = scx_bpf_create_dsq(STAGE, -1);

	return r ? r : scx_bpf_create_dsq(SIDE, -1);
}

SEC(".struct_ops.link")
struct sched_ext_ops fam_ops = {
	.select_cpu = (cb)fam_select_cpu,
	.enqueue = (cb)fam_enqueue,
	.dispatch = (cb)fam_dispatch,
	.running = (cb)fam_running,
	.stopping = (cb)fam_stopping,
	.enable = (cb)fam_enable,
	.init = (cb)fam_init,
	.name = "bpfland",
};

/* eng_simple: scxlab's own BPF C version of schedulers/simple.ts (weighted vtime on one shared
 * DSQ, or a global FIFO with fifo_sched; an idle CPU found by the default selection gets the
 * task directly). Used to run a real
 * compiled scheduler through the loader, the engine and the kfunc glue. */
#include "eng_scx.h"

#define SHARED_DSQ 0

const volatile u64 slice_ns = SCX_SLICE_DFL;
const volatile bool fifo_sched;
static u64 vtime_now;
u64 nr_local, nr_global;

OPS(simple_select_cpu) int simple_select_cpu(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	bool is_idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, ARG(1, s32), ARG(2, u64), &is_idle);

	if (is_idle) {
		__sync_fetch_and_add(&nr_local, 1);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
	}
	return cpu;
}

OPS(simple_enqueue) int simple_enqueue(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	u64 vtime = p->scx.dsq_vtime;

	__sync_fetch_and_add(&nr_global, 1);
	if (fifo_sched) {
		scx_bpf_dsq_insert(p, SHARED_DSQ, slice_ns, ARG(1, u64));
		return 0;
	}
	/* a sleeper may bank at most one slice of credit */
	if (vtime_before(vtime, vtime_now - slice_ns))
		vtime = vtime_now - slice_ns;
	scx_bpf_dsq_insert_vtime(p, SHARED_DSQ, slice_ns, vtime, ARG(1, u64));
	return 0;
}

OPS(simple_dispatch) int simple_dispatch(u64 *ctx)
{
	scx_bpf_dsq_move_to_local(SHARED_DSQ);
	return 0;
}

OPS(simple_running) int simple_running(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);

	if (fifo_sched)
		return 0;
	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
	return 0;
}

OPS(simple_stopping) int simple_stopping(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);

	if (fifo_sched)
		return 0;
	p->scx.dsq_vtime += (slice_ns - p->scx.slice) * 100 / p->scx.weight;
	return 0;
}

OPS(simple_enable) int simple_enable(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);

	p->scx.dsq_vtime = vtime_now;
	return 0;
}

OPS(simple_init) int simple_init(u64 *ctx)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

SEC(".struct_ops.link")
struct sched_ext_ops simple_ops = {
	.select_cpu = (cb)simple_select_cpu,
	.enqueue = (cb)simple_enqueue,
	.dispatch = (cb)simple_dispatch,
	.running = (cb)simple_running,
	.stopping = (cb)simple_stopping,
	.enable = (cb)simple_enable,
	.init = (cb)simple_init,
	.name = "eng_simple",
};

/*
 * Test program (ours): a global-FIFO scheduler that looks at `current` in ops.runnable, where
 * a waker-counting scheduler (scx_rusty's rusty_runnable) reads it. It counts wakeups that see
 * no current at all, the wakee itself, a pid-0 task (an idle task), and any other task, and
 * whether a task-storage lookup of the current task finds anything (an idle task has none).
 */
#include "eng_scx.h"

static struct task_struct *(*bpf_get_current_task_btf)(void) = (void *)158;

struct { __uint(type, 29); __uint(map_flags, 1); __type(key, int); __type(value, u64); } seen SEC(".maps");

u64 cur_null, cur_self, cur_idle, cur_other, cur_idle_with_storage;

OPS(ic_runnable) int ic_runnable(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	struct task_struct *cur = bpf_get_current_task_btf();

	if (!cur)
		cur_null++;
	else if (cur == p)
		cur_self++;
	else if (cur->pid == 0) {
		cur_idle++;
		if (bpf_task_storage_get(&seen, cur, 0, 0))
			cur_idle_with_storage++;
	} else
		cur_other++;
	return 0;
}

OPS(ic_enqueue) int ic_enqueue(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);

	bpf_task_storage_get(&seen, p, 0, 1);
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, ARG(1, u64));
	return 0;
}

SEC(".struct_ops.link")
struct sched_ext_ops ic_ops = {
	.runnable = (cb)ic_runnable,
	.enqueue = (cb)ic_enqueue,
	.name = "eng_idle_current",
};

char _license[] SEC("license") = "GPL";

/* eng_fault: a scheduler whose enqueue reads memory it was never given (an address made from
 * the enqueue flags), so the engine must end it with SCX_EXIT_ERROR_BPF. */
#include "eng_scx.h"

u64 sink;

/* user exit info, laid out as scx's user_exit_info.h does */
struct user_exit_info { int kind; s64 exit_code; char reason[128]; char msg[1024]; } uei;

OPS(fault_enqueue) int fault_enqueue(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);

	sink = *(volatile u64 *)(ARG(1, u64) + 16);
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, ARG(1, u64));
	return 0;
}

/* initialised, so they live in .data, apart from uei in .bss */
int seen_kind = -1;
char seen_msg[128] = "unset";

/* What UEI_RECORD does, by hand: the exit info's kind and message as the program sees them. */
OPS(fault_exit) int fault_exit(u64 *ctx)
{
	struct scx_exit_info *ei = ARG(0, struct scx_exit_info *);

	seen_kind = ei->kind;
	bpf_probe_read_kernel_str(seen_msg, sizeof(seen_msg), ei->msg);
	return 0;
}

SEC(".struct_ops.link")
struct sched_ext_ops fault_ops = {
	.enqueue = (cb)fault_enqueue,
	.exit = (cb)fault_exit,
	.name = "eng_fault",
};


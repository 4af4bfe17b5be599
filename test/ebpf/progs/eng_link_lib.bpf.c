/* eng_link_lib: the library half of a two-object scheduler (as scx_cosmos links lib/pmu.bpf.c
 * into its main object): a global function the main object calls, reading a perf event array
 * that user space never fills, and two tracing programs that scxlab reports and never runs. */
#include "eng_scx.h"

#define PERF_SLOTS 8
#define BPF_F_CURRENT_CPU 0xffffffffULL

struct bpf_perf_event_value { u64 counter; u64 enabled; u64 running; } CORE;
static u64 (*bpf_perf_event_read)(void *map, u64 flags) = (void *)22;
static long (*bpf_perf_event_read_value)(void *map, u64 flags, struct bpf_perf_event_value *buf, u32 size) = (void *)55;

struct {
	__uint(type, 4); /* BPF_MAP_TYPE_PERF_EVENT_ARRAY */
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(int));
	__uint(max_entries, PERF_SLOTS);
} lib_perf SEC(".maps");

u64 lib_calls, lib_traced;
s64 lib_last_read, lib_far_read, lib_plain_read;
u64 lib_counter_seen;

/* Read this CPU's counter and slot PERF_SLOTS (past the end); return how many calls so far. */
__attribute__((noinline)) int lib_count(struct task_struct *p)
{
	struct bpf_perf_event_value v = { .counter = 7 };

	lib_last_read = bpf_perf_event_read_value(&lib_perf, BPF_F_CURRENT_CPU, &v, sizeof(v));
	lib_counter_seen = v.counter;
	lib_far_read = bpf_perf_event_read_value(&lib_perf, PERF_SLOTS, &v, sizeof(v));
	lib_plain_read = (s64)bpf_perf_event_read(&lib_perf, 3);
	return ++lib_calls;
}

SEC("?tp_btf/sched_switch")
int lib_switch(u64 *ctx)
{
	lib_traced++;
	return 0;
}

SEC("fentry/bpf_scx_reg")
int lib_reg_probe(u64 *ctx)
{
	lib_traced++;
	return 0;
}

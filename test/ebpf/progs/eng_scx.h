/* scxlab engine tests: the declarations our own BPF C schedulers need, in our own words: types,
 * section macros, the kernel structs they touch (CO-RE against scxlab's kernel model), the full
 * sched_ext_ops callback table, and the kfuncs. */
#ifndef ENG_SCX_H
#define ENG_SCX_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int s32;
typedef long long s64;
typedef _Bool bool;
#define true 1
#define false 0

#define SEC(name) __attribute__((section(name), used))
#define __ksym __attribute__((section(".ksyms")))
#define CORE __attribute__((preserve_access_index))

#define SCX_SLICE_DFL 20000000ULL
#define SCX_DSQ_FLAG_BUILTIN (1ULL << 63)
#define SCX_DSQ_GLOBAL (SCX_DSQ_FLAG_BUILTIN | 1)
#define SCX_DSQ_LOCAL (SCX_DSQ_FLAG_BUILTIN | 2)
#define SCX_DSQ_LOCAL_ON (SCX_DSQ_FLAG_BUILTIN | (1ULL << 62))

struct cpumask { unsigned long bits[4]; } CORE;
struct sched_ext_entity { u32 weight; u64 slice; u64 dsq_vtime; } CORE;
struct task_struct {
	int nr_cpus_allowed;
	const struct cpumask *cpus_ptr;
	int pid;
	struct sched_ext_entity scx;
} CORE;

/* Every callback is `int name(u64 *ctx)` here (BPF_PROG unpacked by hand). */
typedef int (*cb)(u64 *ctx);
struct sched_ext_ops {
	cb select_cpu, enqueue, dequeue, dispatch, tick, runnable, running, stopping, quiescent, yield;
	cb set_weight, set_cpumask, update_idle, init_task, exit_task, enable, disable, init, exit;
	u32 dispatch_max_batch;
	u64 flags;
	u32 timeout_ms;
	u32 exit_dump_len;
	char name[128];
};

#define ARG(n, type) ((type)ctx[n])
#define OPS(name) SEC("struct_ops/" #name)

s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __ksym;
void scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym;
void scx_bpf_dsq_insert_vtime(struct task_struct *p, u64 dsq_id, u64 slice, u64 vtime, u64 enq_flags) __ksym;
bool scx_bpf_dsq_move_to_local(u64 dsq_id) __ksym;
s32 scx_bpf_dsq_nr_queued(u64 dsq_id) __ksym;
s32 scx_bpf_select_cpu_dfl(struct task_struct *p, s32 prev_cpu, u64 wake_flags, bool *is_idle) __ksym;
void scx_bpf_kick_cpu(s32 cpu, u64 flags) __ksym;
u64 scx_bpf_now(void) __ksym;
void scx_bpf_error_bstr(char *fmt, u64 *data, u32 data_len) __ksym;

static inline bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

#endif

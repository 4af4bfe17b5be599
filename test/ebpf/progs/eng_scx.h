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
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

#define SCX_SLICE_DFL 20000000ULL
#define SCX_DSQ_FLAG_BUILTIN (1ULL << 63)
#define SCX_DSQ_GLOBAL (SCX_DSQ_FLAG_BUILTIN | 1)
#define SCX_DSQ_LOCAL (SCX_DSQ_FLAG_BUILTIN | 2)
#define SCX_DSQ_LOCAL_ON (SCX_DSQ_FLAG_BUILTIN | (1ULL << 62))

struct cpumask { unsigned long bits[4]; } CORE;
struct sched_ext_entity { u32 flags; u32 weight; u64 slice; u64 dsq_vtime; } CORE;
struct task_struct {
	int nr_cpus_allowed;
	const struct cpumask *cpus_ptr;
	int pid;
	struct sched_ext_entity scx;
} CORE;

struct scx_cpu_release_args { int reason; struct task_struct *task; } CORE;
struct scx_exit_info { int kind; s64 exit_code; const char *reason; char *msg; } CORE;

/* Every callback is `int name(u64 *ctx)` here (BPF_PROG unpacked by hand). */
typedef int (*cb)(u64 *ctx);
struct sched_ext_ops {
	cb select_cpu, enqueue, dequeue, dispatch, tick, runnable, running, stopping, quiescent, yield;
	cb set_weight, set_cpumask, update_idle, cpu_acquire, cpu_release, init_task, exit_task, enable, disable, init, exit;
	cb cgroup_init, cgroup_exit, cgroup_prep_move, cgroup_move, cgroup_cancel_move, cgroup_set_weight;
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

/* helpers by number (bpf_helper_defs.h) */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, u64 flags) = (void *)2;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static long (*bpf_trace_printk)(const char *fmt, u32 fmt_size, ...) = (void *)6;
static u32 (*bpf_get_prandom_u32)(void) = (void *)7;
static u32 (*bpf_get_smp_processor_id)(void) = (void *)8;
static long (*bpf_map_push_elem)(void *map, const void *value, u64 flags) = (void *)87;
static long (*bpf_map_pop_elem)(void *map, void *value) = (void *)88;
static long (*bpf_probe_read_kernel)(void *dst, u32 size, const void *src) = (void *)113;
static long (*bpf_probe_read_kernel_str)(void *dst, u32 size, const void *src) = (void *)115;
static void *(*bpf_task_storage_get)(void *map, void *task, void *value, u64 flags) = (void *)156;
static long (*bpf_task_storage_delete)(void *map, void *task) = (void *)157;
static long (*bpf_timer_init)(void *timer, void *map, u64 flags) = (void *)169;
static long (*bpf_timer_set_callback)(void *timer, void *callback_fn) = (void *)170;
static long (*bpf_timer_start)(void *timer, u64 nsecs, u64 flags) = (void *)171;
static long (*bpf_loop)(u32 nr_loops, void *callback_fn, void *callback_ctx, u64 flags) = (void *)181;
static void *(*bpf_kptr_xchg)(void *slot, void *ptr) = (void *)194;

struct bpf_timer { u64 opaque[2]; } __attribute__((aligned(8)));
struct bpf_cpumask { struct cpumask cpumask; } CORE;

struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
void bpf_cpumask_release(struct bpf_cpumask *mask) __ksym;
void bpf_cpumask_set_cpu(u32 cpu, struct bpf_cpumask *mask) __ksym;
bool bpf_cpumask_test_cpu(u32 cpu, const struct cpumask *mask) __ksym;
u32 bpf_cpumask_weight(const struct cpumask *mask) __ksym;
u32 bpf_cpumask_first(const struct cpumask *mask) __ksym;
bool bpf_cpumask_and(struct bpf_cpumask *dst, const struct cpumask *a, const struct cpumask *b) __ksym;
const struct cpumask *scx_bpf_get_online_cpumask(void) __ksym;
void scx_bpf_put_cpumask(const struct cpumask *mask) __ksym;
int bpf_iter_num_new(void *it, int start, int end) __ksym;
int *bpf_iter_num_next(void *it) __ksym;
void bpf_iter_num_destroy(void *it) __ksym;
struct bpf_iter_num { u64 opaque[1]; } __attribute__((aligned(8)));
struct bpf_iter_scx_dsq { u64 opaque[6]; } __attribute__((aligned(8)));
int bpf_iter_scx_dsq_new(struct bpf_iter_scx_dsq *it, u64 dsq_id, u64 flags) __ksym;
struct task_struct *bpf_iter_scx_dsq_next(struct bpf_iter_scx_dsq *it) __ksym;
void bpf_iter_scx_dsq_destroy(struct bpf_iter_scx_dsq *it) __ksym;

static inline bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

#endif

/* scxlab's own minimal header for BPF test programs: integer types, section and map macros,
 * the few helpers and kfuncs the tests call, and kernel structs marked preserve_access_index so
 * clang emits CO-RE relocations against scxlab's kernel model (sim/ebpf/obj/kernel_btf.ts). */
#ifndef SCX_MIN_H
#define SCX_MIN_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int s32;
typedef long long s64;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

#define SEC(name) __attribute__((section(name), used))
#define __ksym __attribute__((section(".ksyms")))
#define __kconfig __attribute__((section(".kconfig")))
#define __weak __attribute__((weak))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]
#define CORE __attribute__((preserve_access_index))

/* map types and flags, kernel numbering */
enum { MT_HASH = 1, MT_ARRAY = 2, MT_PERCPU_HASH = 5, MT_PERCPU_ARRAY = 6, MT_LRU_HASH = 9,
       MT_ARRAY_OF_MAPS = 12, MT_QUEUE = 22, MT_STACK = 23, MT_RINGBUF = 27, MT_TASK_STORAGE = 29, MT_CGRP_STORAGE = 32 };
enum { F_NO_PREALLOC = 1 };

/* helpers by number (bpf_helper_defs.h) */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, u64 flags) = (void *)2;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static long (*bpf_map_push_elem)(void *map, const void *value, u64 flags) = (void *)87;
static long (*bpf_map_pop_elem)(void *map, void *value) = (void *)88;
static u32 (*bpf_get_smp_processor_id)(void) = (void *)8;
static void *(*bpf_task_storage_get)(void *map, void *task, void *value, u64 flags) = (void *)156;
static long (*bpf_task_storage_delete)(void *map, void *task) = (void *)157;
static long (*bpf_timer_init)(void *timer, void *map, u64 flags) = (void *)169;
static long (*bpf_timer_set_callback)(void *timer, void *callback_fn) = (void *)170;
static long (*bpf_loop)(u32 nr_loops, void *callback_fn, void *callback_ctx, u64 flags) = (void *)181;
static void *(*bpf_map_lookup_percpu_elem)(void *map, const void *key, u32 cpu) = (void *)195;
static void *(*bpf_cgrp_storage_get)(void *map, void *cgroup, void *value, u64 flags) = (void *)210;

/* CO-RE builtins, named after what they ask */
#define FIELD_OFFSET(f) __builtin_preserve_field_info(f, 0)
#define FIELD_SIZE(f) __builtin_preserve_field_info(f, 1)
#define FIELD_EXISTS(f) __builtin_preserve_field_info(f, 2)
#define FIELD_SIGNED(f) __builtin_preserve_field_info(f, 3)
#define FIELD_LSHIFT(f) __builtin_preserve_field_info(f, 4)
#define FIELD_RSHIFT(f) __builtin_preserve_field_info(f, 5)
#define TYPE_ID_LOCAL(t) __builtin_btf_type_id(*(typeof(t) *)0, 0)
#define TYPE_ID_TARGET(t) __builtin_btf_type_id(*(typeof(t) *)0, 1)
#define TYPE_EXISTS(t) __builtin_preserve_type_info(*(typeof(t) *)0, 0)
#define TYPE_SIZE(t) __builtin_preserve_type_info(*(typeof(t) *)0, 1)
#define TYPE_MATCHES(t) __builtin_preserve_type_info(*(typeof(t) *)0, 2)
#define ENUM_EXISTS(t, v) __builtin_preserve_enum_value(*(typeof(t) *)v, 0)
#define ENUM_VALUE(t, v) __builtin_preserve_enum_value(*(typeof(t) *)v, 1)
#define KSYM_EXISTS(sym) (!!&(sym))

struct bpf_timer { u64 opaque[2]; } __attribute__((aligned(8)));

/* kernel types (layouts come from scxlab's model through CO-RE) */
struct cpumask { unsigned long bits[4]; } CORE;
struct scx_dispatch_q { u64 id; u32 nr; } CORE;
struct sched_ext_entity {
	struct scx_dispatch_q *dsq;
	u32 flags;
	u32 weight;
	s32 sticky_cpu;
	u64 slice;
	u64 dsq_vtime;
} CORE;
struct task_struct {
	unsigned int flags;
	int prio;
	int static_prio;
	int normal_prio;
	int nr_cpus_allowed;
	const struct cpumask *cpus_ptr;
	int pid;
	int tgid;
	char comm[16];
	struct sched_ext_entity scx;
} CORE;
struct kernfs_node { u64 id; } CORE;
struct cgroup { int level; struct kernfs_node *kn; struct cgroup *ancestors[]; } CORE;
struct rq { int cpu; struct task_struct *curr; } CORE;
struct scx_init_task_args { bool fork; struct cgroup *cgroup; } CORE;

enum scx_dsq_id_flags {
	SCX_DSQ_FLAG_BUILTIN = 1ULL << 63,
	SCX_DSQ_GLOBAL = SCX_DSQ_FLAG_BUILTIN | 1,
	SCX_DSQ_LOCAL = SCX_DSQ_FLAG_BUILTIN | 2,
};
enum scx_kick_flags { SCX_KICK_IDLE = 1, SCX_KICK_PREEMPT = 2 };

struct sched_ext_ops {
	s32 (*select_cpu)(struct task_struct *p, s32 prev_cpu, u64 wake_flags);
	void (*enqueue)(struct task_struct *p, u64 enq_flags);
	void (*dispatch)(s32 cpu, struct task_struct *prev);
	void (*running)(struct task_struct *p);
	s32 (*init_task)(struct task_struct *p, struct scx_init_task_args *args);
	s32 (*init)(void);
	void (*exit)(void *info);
	u32 dispatch_max_batch;
	u64 flags;
	u32 timeout_ms;
	u32 exit_dump_len;
	char name[128];
#ifdef WITH_FUTURE_MEMBER
	u64 scxlab_future;
#endif
};

/* kfuncs */
void scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __ksym;
void scx_bpf_kick_cpu(s32 cpu, u64 flags) __ksym __weak;
void scx_bpf_kick_cpu___v2(s32 cpu, u64 flags) __ksym __weak;
void scx_bpf_not_in_scxlab(void) __ksym __weak;

/* user exit info, as scx's user_exit_info.h lays it out */
struct user_exit_info { int kind; s64 exit_code; char reason[128]; char msg[1024]; };

#endif

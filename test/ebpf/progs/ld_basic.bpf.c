/* Loader test: every map type, every kind of global data, static subprograms shared by two
 * programs, kfunc externs (present, weak-absent), kconfig externs, callbacks by address, the
 * user exit info and a .struct_ops.link ops table. */
#include "scx_min.h"

struct { __uint(type, MT_ARRAY); __uint(max_entries, 4); __type(key, u32); __type(value, u64); } arr SEC(".maps");
struct { __uint(type, MT_PERCPU_ARRAY); __uint(max_entries, 2); __type(key, u32); __type(value, u32); } pcpu_arr SEC(".maps");
struct { __uint(type, MT_HASH); __uint(max_entries, 16); __type(key, u64); __type(value, struct bpf_timer); } hash SEC(".maps");
struct { __uint(type, MT_PERCPU_HASH); __uint(max_entries, 8); __uint(key_size, 4); __uint(value_size, 12); } pcpu_hash SEC(".maps");
struct { __uint(type, MT_LRU_HASH); __uint(max_entries, 2); __type(key, u32); __type(value, u32); __uint(map_flags, 0); } lru SEC(".maps");
struct { __uint(type, MT_TASK_STORAGE); __uint(map_flags, F_NO_PREALLOC); __type(key, int); __type(value, u64); } tstore SEC(".maps");
struct { __uint(type, MT_CGRP_STORAGE); __uint(map_flags, F_NO_PREALLOC); __type(key, int); __type(value, u32); } cstore SEC(".maps");

struct fifo { __uint(type, MT_QUEUE); __uint(max_entries, 3); __type(value, u32); };
struct fifo q0 SEC(".maps"), q1 SEC(".maps");
struct { __uint(type, MT_STACK); __uint(max_entries, 2); __type(value, u64); } stk SEC(".maps");
struct {
	__uint(type, MT_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, u32);
	__array(values, struct fifo);
} qarr SEC(".maps") = { .values = { [1] = &q1 } };

#ifdef WITH_BLOOM
/* BPF_MAP_TYPE_BLOOM_FILTER, which scxlab does not implement */
struct { __uint(type, 30); __uint(max_entries, 64); __type(value, u32); } bloom SEC(".maps");
#endif

const volatile u64 slice_ns = 5000000;
const volatile u32 nr_cpus = 4;
const volatile bool verbose;
const volatile s32 bias = -3;
const volatile char label[8] = "abc";
const volatile u64 __SCX_DSQ_LOCAL __weak;
const volatile u64 __SCX_TASK_CURSOR __weak;
const volatile u64 __SCX_NOT_IN_MODEL __weak;
u64 counter = 7;
u64 zeroed;
u32 extra[3] SEC(".data.extra") = { 1, 2, 3 };
const u32 table[2] SEC(".rodata.table") = { 11, 22 };
struct user_exit_info uei SEC(".data");
char uei_dump[64] SEC(".data.uei_dump");
u64 resizable[1] SEC(".data.resizable") = { 42 };

extern int scxlab_percpu_var __ksym __weak;
#ifdef WITH_STRONG_KSYM_VAR
extern int scxlab_strong_var __ksym;
#define STRONG_VAR scxlab_strong_var
#else
#define STRONG_VAR 0
#endif
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig;
extern bool CONFIG_NOT_IN_MODEL __kconfig __weak;
#ifdef WITH_BAD_KCONFIG
extern int CONFIG_SCXLAB_UNKNOWN __kconfig;
#define BAD_KCONFIG CONFIG_SCXLAB_UNKNOWN
#else
#define BAD_KCONFIG 0
#endif

static __attribute__((noinline)) u64 add_counter(u64 v)
{
	counter += v + extra[1];
	return counter;
}

static __attribute__((noinline)) u64 twice(u64 v)
{
	return v + v;
}

static __attribute__((noinline)) u64 only_second(u64 v)
{
	return twice(v) / 2 * table[1] + LINUX_KERNEL_VERSION + CONFIG_HZ + CONFIG_NOT_IN_MODEL + BAD_KCONFIG;
}

static long loop_cb(u32 i, void *ctx)
{
	zeroed += i;
	return 0;
}

static int timer_cb(void *map, u64 *key, struct bpf_timer *t)
{
	return 0;
}

SEC("struct_ops/ld_enqueue")
int ld_enqueue(u64 *ctx)
{
	struct task_struct *p = (void *)ctx[0];
	u32 k = 1;
	u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (v)
		*v += add_counter(slice_ns);
	if (KSYM_EXISTS(scx_bpf_not_in_scxlab))
		scx_bpf_not_in_scxlab();
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, slice_ns, ctx[1]);
	return 0;
}

SEC("struct_ops/ld_dispatch")
int ld_dispatch(u64 *ctx)
{
	u64 key = 1;
	struct bpf_timer *t;
	bpf_loop(nr_cpus, loop_cb, NULL, 0);
	t = bpf_map_lookup_elem(&hash, &key);
	if (t)
		bpf_timer_set_callback(t, timer_cb);
	if (KSYM_EXISTS(scx_bpf_kick_cpu))
		scx_bpf_kick_cpu(0, SCX_KICK_IDLE);
	return only_second(add_counter(bias)) + label[1] + (__SCX_DSQ_LOCAL == 0) + (__SCX_TASK_CURSOR == 0) + (__SCX_NOT_IN_MODEL == 1);
}

SEC("struct_ops.s/ld_init")
int ld_init(u64 *ctx)
{
	u32 k = 0;
	void *v = bpf_map_lookup_elem(&pcpu_arr, &k);
	bpf_map_lookup_elem(&pcpu_hash, &k);
	bpf_map_lookup_elem(&lru, &k);
	bpf_task_storage_get(&tstore, NULL, NULL, 1);
	bpf_cgrp_storage_get(&cstore, NULL, NULL, 1);
	uei.kind = 1;
	scx_bpf_kick_cpu___v2(1, 0);
	return scx_bpf_create_dsq(0, -1) + (v != 0) + KSYM_EXISTS(scxlab_percpu_var) * 100 + STRONG_VAR;
}

SEC("struct_ops/ld_queue")
int ld_queue(u64 *ctx)
{
	u32 k = 1, zero = 0, v = 5, got = 0;
	u64 s = 9;
	void *q = bpf_map_lookup_elem(&qarr, &k);
	if (!q)
		return -1;
	bpf_map_push_elem(q, &v, 0);
	v = 6;
	bpf_map_push_elem(&q1, &v, 0);
	bpf_map_pop_elem(q, &got);
	bpf_map_push_elem(&stk, &s, 0);
	return (q == &q1) * 1000 + got * 10 + (bpf_map_lookup_elem(&qarr, &zero) == 0);
}

#ifdef PLAIN_STRUCT_OPS
SEC(".struct_ops")
#else
SEC(".struct_ops.link")
#endif
struct sched_ext_ops ld_ops = {
	.enqueue = (void *)ld_enqueue,
	.dispatch = (void *)ld_dispatch,
	.init = (void *)ld_init,
	.flags = 4,
	.timeout_ms = 5000,
	.dispatch_max_batch = 8,
	.name = "ld_basic",
#ifdef WITH_FUTURE_MEMBER
	.scxlab_future = 1,
#endif
};

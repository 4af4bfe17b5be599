/* eng_helpers: a FIFO scheduler whose init/enable callbacks exercise the helpers and kfuncs the
 * glue provides, leaving what they saw in `out` for the test to check. */
#include "eng_scx.h"

struct elem { struct bpf_timer timer; u64 fired; };

struct { __uint(type, 1); __uint(max_entries, 8); __type(key, u32); __type(value, u64); } hash SEC(".maps");
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, u32); __type(value, struct elem); } timers SEC(".maps");
struct { __uint(type, 22); __uint(max_entries, 4); __type(value, u64); } queue SEC(".maps");
struct { __uint(type, 29); __uint(map_flags, 1); __type(key, int); __type(value, u64); } tstore SEC(".maps");

u64 out[24];
struct bpf_cpumask *kept;

static int add_index(u32 i, u64 *sum)
{
	*sum += i;
	return i == 9; /* stop after index 9 */
}

static int timer_fired(void *map, int *key, struct elem *e)
{
	e->fired++;
	if (e->fired < 5)
		bpf_timer_start(&e->timer, 1000000, 0);
	return 0;
}

OPS(h_init) int h_init(u64 *ctx)
{
	u32 k = 3, zero = 0;
	u64 v = 42, sum = 0, got = 0, *p;
	char buf[8];
	static const char msg[] = "hello";
	static const char fmt[] = "init %d %s %%";
	struct elem *e;
	struct bpf_cpumask *m;
	const struct cpumask *online;
	int *ip;
	struct bpf_iter_num it;

	out[0] = bpf_map_update_elem(&hash, &k, &v, 0);
	p = bpf_map_lookup_elem(&hash, &k);
	out[1] = p ? *p : 0;
	out[2] = bpf_map_delete_elem(&hash, &k);
	out[3] = bpf_map_lookup_elem(&hash, &k) == 0;
	out[4] = bpf_loop(100, add_index, &sum, 0);
	out[5] = sum;
	out[6] = bpf_probe_read_kernel_str(buf, sizeof(buf), msg);
	out[7] = buf[0] == 'h' && buf[4] == 'o' && buf[5] == 0;
	out[8] = bpf_probe_read_kernel(buf, 8, (void *)16); /* unmapped: -EFAULT, buf zeroed */
	v = 7;
	bpf_map_push_elem(&queue, &v, 0);
	v = 8;
	bpf_map_push_elem(&queue, &v, 0);
	bpf_map_pop_elem(&queue, &got);
	out[9] = got;
	bpf_trace_printk(fmt, sizeof(fmt), -11, msg);
	out[10] = bpf_ktime_get_ns() == scx_bpf_now();

	e = bpf_map_lookup_elem(&timers, &zero);
	if (!e)
		return -1;
	out[11] = bpf_timer_init(&e->timer, &timers, 1);
	out[12] = bpf_timer_set_callback(&e->timer, timer_fired);
	out[13] = bpf_timer_start(&e->timer, 1000000, 0);

	m = bpf_cpumask_create();
	if (!m)
		return -2;
	bpf_cpumask_set_cpu(1, m);
	bpf_cpumask_set_cpu(3, m);
	online = scx_bpf_get_online_cpumask();
	out[14] = bpf_cpumask_weight(&m->cpumask) * 100 + bpf_cpumask_first(&m->cpumask) * 10 + bpf_cpumask_test_cpu(3, online);
	scx_bpf_put_cpumask(online);
	m = bpf_kptr_xchg(&kept, m);
	if (m)
		bpf_cpumask_release(m);

	bpf_iter_num_new(&it, 2, 6);
	while ((ip = bpf_iter_num_next(&it)))
		out[15] += *ip; /* 2 + 3 + 4 + 5 */
	bpf_iter_num_destroy(&it);
	out[16] = bpf_get_smp_processor_id() < 64;
	return scx_bpf_create_dsq(0, -1);
}

OPS(h_enable) int h_enable(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	u64 *st = bpf_task_storage_get(&tstore, p, 0, 1);

	if (st) {
		*st += 1;
		__sync_fetch_and_add(&out[17], 1);
	}
	if (bpf_task_storage_get(&tstore, p, 0, 0) == st)
		__sync_fetch_and_add(&out[18], 1);
	out[19] |= bpf_get_prandom_u32();
	return 0;
}

OPS(h_enqueue) int h_enqueue(u64 *ctx)
{
	scx_bpf_dsq_insert(ARG(0, struct task_struct *), 0, SCX_SLICE_DFL, ARG(1, u64));
	return 0;
}

OPS(h_dispatch) int h_dispatch(u64 *ctx)
{
	struct bpf_iter_scx_dsq it;
	struct task_struct *p;
	u64 n = 0, rev_first = 0, first = 0;

	bpf_iter_scx_dsq_new(&it, 0, 0);
	while ((p = bpf_iter_scx_dsq_next(&it))) {
		if (!n++)
			first = p->pid;
	}
	bpf_iter_scx_dsq_destroy(&it);
	bpf_iter_scx_dsq_new(&it, 0, 1ULL << 16); /* SCX_DSQ_ITER_REV */
	p = bpf_iter_scx_dsq_next(&it);
	if (p)
		rev_first = p->pid;
	bpf_iter_scx_dsq_destroy(&it);
	if (n > out[20])
		out[20] = n;
	if (n >= 2 && first != rev_first)
		out[21] = 1; /* head and tail differ */
	if (n == 1 && first != rev_first)
		out[22] = 1; /* must not happen */
	scx_bpf_dsq_move_to_local(0);
	return 0;
}

SEC(".struct_ops.link")
struct sched_ext_ops helpers_ops = {
	.init = (cb)h_init,
	.enable = (cb)h_enable,
	.enqueue = (cb)h_enqueue,
	.dispatch = (cb)h_dispatch,
	.name = "eng_helpers",
};

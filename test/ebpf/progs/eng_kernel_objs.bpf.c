/*
 * Test program (ours): the kernel objects, kfuncs and helpers that scx_lavd's object needs,
 * each used the way a scheduler would and its answers counted for the test to check:
 * - the per-CPU `runqueues` (struct rq): clock_task against scx_bpf_now() on the callback's CPU,
 *   clock_pelt accumulated over each run next to clock_task, rq->cpu;
 * - `cpufreq_cpu_data` through bpf_probe_read_kernel at &var + cpu, and bpf_per_cpu_ptr;
 * - `__preempt_count`'s hard-IRQ bits in the wakeups (ops.runnable with SCX_ENQ_WAKEUP);
 * - bpf_cpumask_test_and_set_cpu / test_and_clear_cpu, bpf_strncmp, a BPF ring buffer;
 * - p->real_parent;
 * - reads of a field scxlab's kernel lacks behind .kconfig's CONFIG_PREEMPT_RT and behind a
 *   .rodata switch (dead unless -o read_missing=1).
 */
#include "eng_scx.h"

#define MAX_CPUS 8
#define HARDIRQ_MASK (0xfu << 16)
#define SCX_ENQ_WAKEUP 1

struct rq { u64 clock_task; u64 clock_pelt; unsigned long lost_idle_time; int cpu; } CORE;
struct cpufreq_policy { unsigned int max; } CORE;
struct task_struct___parent { struct task_struct *real_parent; int pid; } CORE;
struct task_struct___missing { int softirq_disable_cnt; } CORE;

extern struct rq runqueues __ksym;
extern struct cpufreq_policy *cpufreq_cpu_data __ksym;
extern const int __preempt_count __ksym __attribute__((weak));
extern bool CONFIG_PREEMPT_RT __attribute__((section(".kconfig"), weak));
const volatile bool read_missing;

static void *(*bpf_per_cpu_ptr)(const void *percpu_ptr, u32 cpu) = (void *)153;
static void *(*bpf_this_cpu_ptr)(const void *percpu_ptr) = (void *)154;
static void *(*bpf_ringbuf_reserve)(void *ringbuf, u64 size, u64 flags) = (void *)131;
static void (*bpf_ringbuf_submit)(void *data, u64 flags) = (void *)132;
static void (*bpf_ringbuf_discard)(void *data, u64 flags) = (void *)133;
static long (*bpf_ringbuf_output)(void *ringbuf, void *data, u64 size, u64 flags) = (void *)130;
static u64 (*bpf_ringbuf_query)(void *ringbuf, u64 flags) = (void *)134;
static long (*bpf_strncmp)(const char *s1, u32 s1_sz, const char *s2) = (void *)182;
bool bpf_cpumask_test_and_set_cpu(u32 cpu, struct bpf_cpumask *mask) __ksym;
bool bpf_cpumask_test_and_clear_cpu(u32 cpu, struct bpf_cpumask *mask) __ksym;
struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;

struct { __uint(type, 27); __uint(max_entries, 4096); } ring SEC(".maps");

/* runqueues */
u64 nr_clock_match, nr_clock_miss, nr_rq_cpu_miss, nr_pelt_ahead, lost_idle;
u64 run_task[MAX_CPUS], run_pelt[MAX_CPUS], sum_task[MAX_CPUS], sum_pelt[MAX_CPUS];
/* cpufreq_cpu_data */
u64 nr_policy_null, nr_policy_set, nr_slot_missing;
/* __preempt_count */
u64 nr_wakeup_hardirq, nr_wakeup_task;
/* kfuncs and helpers: answers in order */
s64 answers[16];
u64 ring_records;
/* real_parent */
u64 nr_parent_same, nr_parent_other, parent_pid, nr_parent_found;
void *first_parent;
/* the missing field, read only where it is dead */
u64 missing_sum;

static struct rq *rq_of(u32 cpu)
{
	return bpf_per_cpu_ptr(&runqueues, cpu);
}

OPS(ko_enqueue) int ko_enqueue(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	u64 flags = ARG(1, u64);

	if (CONFIG_PREEMPT_RT)
		missing_sum += ((struct task_struct___missing *)p)->softirq_disable_cnt;
	if (read_missing)
		missing_sum += ((struct task_struct___missing *)p)->softirq_disable_cnt;
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, 1000000, flags);
	return 0;
}

OPS(ko_runnable) int ko_runnable(u64 *ctx)
{
	if ((ARG(1, u64) & SCX_ENQ_WAKEUP) && &__preempt_count) {
		int *pc = bpf_this_cpu_ptr(&__preempt_count);

		if (pc && (*pc & HARDIRQ_MASK))
			nr_wakeup_hardirq++;
		else
			nr_wakeup_task++;
	}
	return 0;
}

OPS(ko_running) int ko_running(u64 *ctx)
{
	u32 cpu = bpf_get_smp_processor_id();
	struct rq *rq = rq_of(cpu);

	if (!rq || cpu >= MAX_CPUS)
		return 0;
	if (rq->clock_task == scx_bpf_now())
		nr_clock_match++;
	else
		nr_clock_miss++;
	if (rq->cpu != cpu)
		nr_rq_cpu_miss++;
	if (rq->clock_pelt > rq->clock_task)
		nr_pelt_ahead++;
	lost_idle += rq->lost_idle_time;
	run_task[cpu] = rq->clock_task;
	run_pelt[cpu] = rq->clock_pelt;
	return 0;
}

OPS(ko_stopping) int ko_stopping(u64 *ctx)
{
	u32 cpu = bpf_get_smp_processor_id();
	struct rq *rq = rq_of(cpu);

	if (!rq || cpu >= MAX_CPUS || !run_task[cpu])
		return 0;
	sum_task[cpu] += rq->clock_task - run_task[cpu];
	sum_pelt[cpu] += rq->clock_pelt - run_pelt[cpu];
	run_task[cpu] = 0;
	return 0;
}

OPS(ko_enable) int ko_enable(u64 *ctx)
{
	struct task_struct___parent *p = ARG(0, void *);
	struct task_struct *found;

	if (!first_parent)
		first_parent = p->real_parent;
	if (p->real_parent && p->real_parent == first_parent)
		nr_parent_same++;
	else
		nr_parent_other++;
	parent_pid = ((struct task_struct___parent *)p->real_parent)->pid;
	found = bpf_task_from_pid(parent_pid);
	if (found) {
		nr_parent_found++;
		bpf_task_release(found);
	}
	return 0;
}

OPS(ko_init) int ko_init(u64 *ctx)
{
	struct cpufreq_policy **base = (struct cpufreq_policy **)&cpufreq_cpu_data, *pol;
	struct bpf_cpumask *m;
	char buf[8] = "abc";
	u64 payload[8] = { 1, 2 };
	void *rec;
	u32 cpu;
	int i;

	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!bpf_per_cpu_ptr(&cpufreq_cpu_data, cpu)) {
			nr_slot_missing++;
			continue;
		}
		if (bpf_probe_read_kernel(&pol, sizeof(pol), base + cpu) == 0 && !pol)
			nr_policy_null++;
		else
			nr_policy_set++;
	}

	m = bpf_cpumask_create();
	if (!m)
		return -1;
	answers[0] = bpf_cpumask_test_and_set_cpu(3, m);
	answers[1] = bpf_cpumask_test_and_set_cpu(3, m);
	answers[2] = bpf_cpumask_test_cpu(3, (const struct cpumask *)m);
	answers[3] = bpf_cpumask_test_and_clear_cpu(3, m);
	answers[4] = bpf_cpumask_test_and_clear_cpu(3, m);
	answers[5] = bpf_cpumask_test_and_set_cpu(300, m);
	answers[6] = bpf_cpumask_weight((const struct cpumask *)m);
	bpf_cpumask_release(m);

	answers[7] = bpf_strncmp(buf, 4, "abc");
	answers[8] = bpf_strncmp(buf, 4, "abd");
	answers[9] = bpf_strncmp(buf, 4, "abb");
	answers[10] = bpf_strncmp(buf, 2, "abz");

	rec = bpf_ringbuf_reserve(&ring, 64, 0);
	if (!rec)
		return -1;
	*(u64 *)rec = 7;
	bpf_ringbuf_submit(rec, 0);
	rec = bpf_ringbuf_reserve(&ring, 64, 0);
	if (!rec)
		return -1;
	bpf_ringbuf_discard(rec, 0);
	answers[11] = bpf_ringbuf_output(&ring, payload, sizeof(payload), 0);
	answers[12] = bpf_ringbuf_query(&ring, 1);
	answers[13] = bpf_ringbuf_reserve(&ring, 64, 1) != 0;
	for (i = 0; i < 100; i++) {
		rec = bpf_ringbuf_reserve(&ring, 64, 0);
		if (!rec)
			break;
		ring_records++;
		bpf_ringbuf_submit(rec, 0);
	}
	answers[14] = bpf_ringbuf_output(&ring, payload, sizeof(payload), 0);
	return 0;
}

SEC(".struct_ops.link")
struct sched_ext_ops ko_ops = {
	.enqueue = (cb)ko_enqueue,
	.runnable = (cb)ko_runnable,
	.running = (cb)ko_running,
	.stopping = (cb)ko_stopping,
	.enable = (cb)ko_enable,
	.init = (cb)ko_init,
	.name = "eng_kernel_objs",
};

char _license[] SEC("license") = "GPL";

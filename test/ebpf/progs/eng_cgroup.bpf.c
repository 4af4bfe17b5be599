/* eng_cgroup: a scheduler of our own that queues tasks in a BPF rbtree (objects from bpf_obj_new,
 * ordered by enqueue sequence under a bpf_spin_lock) and keeps per-cgroup counters in cgroup
 * storage, exercising every cgroup callback and kfunc scxlab models. What it saw is left in
 * globals, indexed by cgroup id (ids are small: the root is 1). Built with -DMISUSE=n it breaks
 * one of the lock/rbtree/object rules in ops.init; with -DNO_CONTAINS its root lacks the tag, with
 * -DLOCK_ELSEWHERE its lock sits in another section than the root. */
#include "eng_scx.h"

#define SHARED_DSQ 0
#define MAX_CG 8
#define BPF_LOCAL_STORAGE_GET_F_CREATE 1
#define EBUSY 16

struct kernfs_node { u64 id; } CORE;
struct cgroup { int level; struct kernfs_node *kn; } CORE;
struct scx_init_task_args { bool fork; struct cgroup *cgroup; } CORE;
struct scx_cgroup_init_args { u32 weight; } CORE;

struct bpf_spin_lock { u32 val; };
struct bpf_rb_root { u64 opaque[2]; } __attribute__((aligned(8)));
struct bpf_rb_node { u64 opaque[4]; } __attribute__((aligned(8)));

struct cgroup *scx_bpf_task_cgroup(struct task_struct *p) __ksym;
struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
struct cgroup *bpf_cgroup_from_id(u64 id) __ksym;
struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;
void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
void *bpf_obj_new_impl(u64 local_type_id, void *meta) __ksym;
void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
			bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b), void *meta, u64 off) __ksym;
struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;
struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;
static void (*bpf_spin_lock)(struct bpf_spin_lock *lock) = (void *)93;
static void (*bpf_spin_unlock)(struct bpf_spin_lock *lock) = (void *)94;
static void *(*bpf_cgrp_storage_get)(void *map, struct cgroup *cgrp, void *value, u64 flags) = (void *)210;

#define obj_new(type) ((type *)bpf_obj_new_impl(__builtin_btf_type_id(*(type *)0, 0), 0))
#define obj_drop(p) bpf_obj_drop_impl(p, 0)
#define container_of(ptr, type, member) ((type *)((void *)(ptr) - __builtin_offsetof(type, member)))

struct qnode {
	u64 tag;
	struct bpf_rb_node node;
	u64 key;
	s32 pid;
};

#ifdef LOCK_ELSEWHERE /* the lock in another section than the root it should protect */
SEC(".data.L") __attribute__((aligned(8))) struct bpf_spin_lock q_lock;
#else
SEC(".data.Q") __attribute__((aligned(8))) struct bpf_spin_lock q_lock;
#endif
#ifdef NO_CONTAINS
SEC(".data.Q") __attribute__((aligned(8))) struct bpf_rb_root q_root;
#else
SEC(".data.Q") __attribute__((aligned(8))) struct bpf_rb_root q_root __attribute__((btf_decl_tag("contains:qnode:node")));
#endif

struct cg_ctx { u32 weight; u64 nr_enq; };
struct {
	__uint(type, 32); /* BPF_MAP_TYPE_CGRP_STORAGE */
	__uint(map_flags, 1);
	__type(key, int);
	__type(value, struct cg_ctx);
} cg_store SEC(".maps");

#if MISUSE == 9
struct telem { struct bpf_timer timer; };
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, u32); __type(value, struct telem); } timers SEC(".maps");

/* A timer callback that returns with the lock held. */
static int timer_fired(void *map, u32 *key, struct telem *e)
{
	bpf_spin_lock(&q_lock);
	return 0;
}
#endif

u64 seq, nr_dispatched, nr_dropped, bad, checks, nr_init_task_match;
u32 weight_of[MAX_CG], level_of[MAX_CG], storage_weight_of[MAX_CG];
u64 enq_of[MAX_CG];
u64 nr_cgroup_init, nr_cgroup_exit, nr_prep, nr_move, nr_cancel, nr_set_weight;
u64 move_from, move_to, refuse_into;
/* ops.init's self-test: keys popped in order, tags telling equal keys apart, remove-twice result. */
u64 popped_key[6], popped_tag[6], second_remove;

static bool qnode_less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct qnode, node)->key < container_of(b, struct qnode, node)->key;
}

static u64 cgid(struct cgroup *cg)
{
	return cg->kn->id;
}

static int queue(u64 key, u64 tag, s32 pid)
{
	struct qnode *n = obj_new(struct qnode);

	if (!n)
		return -1;
	n->key = key;
	n->tag = tag;
	n->pid = pid;
	bpf_spin_lock(&q_lock);
	bpf_rbtree_add_impl(&q_root, &n->node, qnode_less, 0, 0);
	bpf_spin_unlock(&q_lock);
	return 0;
}

static struct qnode *pop(void)
{
	struct bpf_rb_node *rb;

	bpf_spin_lock(&q_lock);
	rb = bpf_rbtree_first(&q_root);
	if (rb)
		rb = bpf_rbtree_remove(&q_root, rb);
	bpf_spin_unlock(&q_lock);
	return rb ? container_of(rb, struct qnode, node) : 0;
}

static void check(bool ok)
{
	checks++;
	if (!ok)
		bad++;
}

/* Every ancestor is at its level, the one past the cgroup is NULL, the root is id 1, lookups by id agree. */
static void check_cgroup(struct cgroup *cg)
{
	int level = cg->level, l;
	struct cgroup *a, *byid;

	for (l = 0; l <= level && l < MAX_CG; l++) {
		a = bpf_cgroup_ancestor(cg, l);
		check(a != 0);
		if (!a)
			return;
		check(a->level == l);
		if (l == 0)
			check(cgid(a) == 1);
		if (l == level)
			check(cgid(a) == cgid(cg));
		bpf_cgroup_release(a);
	}
	a = bpf_cgroup_ancestor(cg, level + 1);
	check(a == 0);
	byid = bpf_cgroup_from_id(cgid(cg));
	check(byid != 0);
	if (byid) {
		check(cgid(byid) == cgid(cg));
		bpf_cgroup_release(byid);
	}
	check(bpf_cgroup_from_id(1000) == 0);
}

OPS(cg_enqueue) int cg_enqueue(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	struct cgroup *cg = scx_bpf_task_cgroup(p);
	struct cgroup *held;
	struct cg_ctx *c;
	u64 id = cgid(cg);

	c = bpf_cgrp_storage_get(&cg_store, cg, 0, 0);
	if (c)
		c->nr_enq++;
	if (id < MAX_CG)
		enq_of[id]++;
	check_cgroup(cg);
	held = bpf_cgroup_acquire(cg);
	bpf_cgroup_release(held);
	bpf_cgroup_release(cg);
	if (queue(__sync_fetch_and_add(&seq, 1), 0, p->pid))
		scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, 0);
	return 0;
}

OPS(cg_dispatch) int cg_dispatch(u64 *ctx)
{
	struct qnode *n = pop();
	struct task_struct *p;

	if (!n) {
		scx_bpf_dsq_move_to_local(SHARED_DSQ);
		return 0;
	}
	p = bpf_task_from_pid(n->pid);
	if (p) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
		bpf_task_release(p);
		nr_dispatched++;
	}
	obj_drop(n);
	nr_dropped++;
	return 0;
}

OPS(cg_init_task) int cg_init_task(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	struct scx_init_task_args *args = ARG(1, struct scx_init_task_args *);
	struct cgroup *cg = scx_bpf_task_cgroup(p);

	if (cgid(cg) == cgid(args->cgroup))
		nr_init_task_match++;
	else
		bad++;
	bpf_cgroup_release(cg);
	return 0;
}

OPS(cg_cgroup_init) int cg_cgroup_init(u64 *ctx)
{
	struct cgroup *cg = ARG(0, struct cgroup *);
	struct scx_cgroup_init_args *args = ARG(1, struct scx_cgroup_init_args *);
	struct cg_ctx *c = bpf_cgrp_storage_get(&cg_store, cg, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	u64 id = cgid(cg);

	if (!c)
		return -12;
	c->weight = args->weight;
	nr_cgroup_init++;
	if (id < MAX_CG) {
		weight_of[id] = args->weight;
		level_of[id] = cg->level;
	}
	check_cgroup(cg);
	return 0;
}

OPS(cg_cgroup_exit) int cg_cgroup_exit(u64 *ctx)
{
	nr_cgroup_exit++;
	return 0;
}

OPS(cg_cgroup_set_weight) int cg_cgroup_set_weight(u64 *ctx)
{
	struct cgroup *cg = ARG(0, struct cgroup *);
	struct cg_ctx *c = bpf_cgrp_storage_get(&cg_store, cg, 0, 0);
	u64 id = cgid(cg);

	nr_set_weight++;
	if (!c)
		return 0;
	c->weight = ARG(1, u32);
	if (id < MAX_CG)
		storage_weight_of[id] = c->weight;
	return 0;
}

OPS(cg_cgroup_prep_move) int cg_cgroup_prep_move(u64 *ctx)
{
	struct cgroup *to = ARG(2, struct cgroup *);

	nr_prep++;
	return cgid(to) == refuse_into ? -EBUSY : 0;
}

OPS(cg_cgroup_move) int cg_cgroup_move(u64 *ctx)
{
	nr_move++;
	move_from = cgid(ARG(1, struct cgroup *));
	move_to = cgid(ARG(2, struct cgroup *));
	return 0;
}

OPS(cg_cgroup_cancel_move) int cg_cgroup_cancel_move(u64 *ctx)
{
	nr_cancel++;
	return 0;
}

/* Five nodes in, in key order out; equal keys keep their insertion order; a removed node is not found again. */
static void self_test(void)
{
	static const u64 keys[5] = { 5, 1, 4, 1, 3 };
	struct bpf_rb_node *rb;
	struct qnode *n;
	int i;

	for (i = 0; i < 5; i++)
		queue(keys[i] + 100000, i, 0);
	for (i = 0; i < 6; i++) {
		bpf_spin_lock(&q_lock);
		rb = bpf_rbtree_first(&q_root);
		if (rb)
			rb = bpf_rbtree_remove(&q_root, rb);
		if (rb && i == 0)
			second_remove = (u64)bpf_rbtree_remove(&q_root, rb);
		bpf_spin_unlock(&q_lock);
		if (!rb)
			break;
		n = container_of(rb, struct qnode, node);
		popped_key[i] = n->key - 100000;
		popped_tag[i] = n->tag;
		obj_drop(n);
	}
}

OPS(cg_init) int cg_init(u64 *ctx)
{
	struct qnode *n;

	self_test();
#if MISUSE == 1 /* rbtree op without the lock */
	n = obj_new(struct qnode);
	if (n)
		bpf_rbtree_add_impl(&q_root, &n->node, qnode_less, 0, 0);
#elif MISUSE == 2 /* the same lock twice */
	bpf_spin_lock(&q_lock);
	bpf_spin_lock(&q_lock);
#elif MISUSE == 3 /* return with the lock held */
	bpf_spin_lock(&q_lock);
	return 0;
#elif MISUSE == 4 /* a helper under the lock */
	bpf_spin_lock(&q_lock);
	bpf_ktime_get_ns();
	bpf_spin_unlock(&q_lock);
#elif MISUSE == 5 /* drop an object still in the tree */
	n = obj_new(struct qnode);
	if (n) {
		bpf_spin_lock(&q_lock);
		bpf_rbtree_add_impl(&q_root, &n->node, qnode_less, 0, 0);
		bpf_spin_unlock(&q_lock);
		obj_drop(n);
	}
#elif MISUSE == 6 /* touch an object after dropping it */
	n = obj_new(struct qnode);
	if (n) {
		obj_drop(n);
		n->key = 1;
	}
#elif MISUSE == 7 /* unlock what is not held */
	bpf_spin_unlock(&q_lock);
#elif MISUSE == 8 /* a lock that is not a bpf_spin_lock field */
	bpf_spin_lock((struct bpf_spin_lock *)&seq);
#elif MISUSE == 9 /* a timer callback that returns with the lock held */
	u32 zero = 0;
	struct telem *e = bpf_map_lookup_elem(&timers, &zero);

	if (e) {
		bpf_timer_init(&e->timer, &timers, 1);
		bpf_timer_set_callback(&e->timer, timer_fired);
		bpf_timer_start(&e->timer, 1000000, 0);
	}
#endif
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

SEC(".struct_ops.link")
struct sched_ext_ops cgroup_ops = {
	.enqueue = (cb)cg_enqueue,
	.dispatch = (cb)cg_dispatch,
	.init_task = (cb)cg_init_task,
	.cgroup_init = (cb)cg_cgroup_init,
	.cgroup_exit = (cb)cg_cgroup_exit,
	.cgroup_set_weight = (cb)cg_cgroup_set_weight,
	.cgroup_prep_move = (cb)cg_cgroup_prep_move,
	.cgroup_move = (cb)cg_cgroup_move,
	.cgroup_cancel_move = (cb)cg_cgroup_cancel_move,
	.init = (cb)cg_init,
	.name = "eng_cgroup",
};

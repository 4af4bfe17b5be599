/* Loader test: one CO-RE relocation of every kind (0-12) against scxlab's kernel model, through
 * loads, ALU immediates and ld_imm64, plus a flavoured type. Each result lands in out[]. */
#include "scx_min.h"

struct task_struct___flav {
	int pid;
	u64 nonexistent_field;
} CORE;
struct not_in_kernel { int x; } CORE;
enum scx_kick_flags___new { SCX_KICK_NOT_YET = 64 };

u64 out[32];

SEC("struct_ops/ld_core")
int ld_core(u64 *ctx)
{
	struct task_struct *p = (void *)ctx[0];
	struct cgroup *cg = (void *)ctx[1];
	struct task_struct___flav *f = (void *)p;

	out[0] = p->pid;
	out[1] = p->scx.dsq_vtime;
	out[2] = p->scx.dsq->id;
	out[3] = FIELD_SIZE(p->comm);
	out[4] = FIELD_EXISTS(f->nonexistent_field);
	out[5] = FIELD_EXISTS(p->scx.weight);
	out[6] = FIELD_SIGNED(p->pid);
	out[7] = FIELD_LSHIFT(p->scx.weight);
	out[8] = FIELD_RSHIFT(p->scx.weight);
	out[9] = FIELD_OFFSET(p->scx.slice);
	out[10] = TYPE_ID_LOCAL(struct task_struct);
	out[11] = TYPE_ID_TARGET(struct task_struct);
	out[12] = TYPE_EXISTS(struct not_in_kernel);
	out[13] = TYPE_EXISTS(struct rq);
	out[14] = TYPE_SIZE(struct cpumask);
	out[15] = ENUM_EXISTS(enum scx_kick_flags, SCX_KICK_PREEMPT);
	out[16] = ENUM_VALUE(enum scx_dsq_id_flags, SCX_DSQ_LOCAL);
	out[17] = TYPE_MATCHES(struct rq);
	out[18] = f->pid;
	out[19] = cg->kn->id;
	out[20] = cg->level;
	out[21] = p->comm[1];
	out[22] = ENUM_EXISTS(enum scx_kick_flags___new, SCX_KICK_NOT_YET);
	out[23] = p->cpus_ptr->bits[0];
	out[24] = ENUM_VALUE(enum scx_kick_flags, SCX_KICK_PREEMPT);
	out[25] = (u64)cg->ancestors[cg->level];
	if (FIELD_EXISTS(f->nonexistent_field))
		out[26] = f->nonexistent_field;
	else
		out[26] = 7;
	p->scx.slice = 12345;
	return 0;
}

#ifdef READ_MISSING
SEC("struct_ops/ld_core_bad")
int ld_core_bad(u64 *ctx)
{
	struct task_struct___flav *f = (void *)ctx[0];
	return f->nonexistent_field;
}
#endif

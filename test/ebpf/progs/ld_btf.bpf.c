/* Loader test: a program whose BTF holds every kind the parser reads (int, ptr, array, struct,
 * union, enum, enum64, fwd, typedef, volatile, const, restrict, func, func_proto, var, datasec,
 * float, decl_tag, type_tag). */
#include "scx_min.h"

struct opaque;
typedef float ratio_t;
union both { u32 word; u8 bytes[4]; };
enum small { SMALL_A = -1, SMALL_B = 2 };
enum big { BIG_A = 1ULL << 40 };
struct tagged {
	int counted __attribute__((btf_decl_tag("scxlab_tag")));
	int __attribute__((btf_type_tag("scxlab_ptr"))) *tp;
	struct opaque *op;
	union both u;
	enum small s;
	enum big b;
	ratio_t r;
	const volatile int cv;
};

struct tagged holder;

static __attribute__((noinline)) int sum(int *restrict a, int *restrict b)
{
	return *a + *b;
}

SEC("struct_ops/ld_btf")
int ld_btf(u64 *ctx)
{
	int x = holder.counted, y = holder.u.bytes[1];
	return sum(&x, &y) + (holder.tp != 0);
}

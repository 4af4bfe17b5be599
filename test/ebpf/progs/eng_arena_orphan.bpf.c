/* scxlab engine tests: __arena globals in an object that declares no arena (refused at load). */
#include "eng_scx.h"

#define __arena __attribute__((address_space(1)))

u64 __arena orphan = 5;

char _license[] SEC("license") = "GPL";

SEC("syscall") int read_orphan(u64 *ctx)
{
	ctx[0] = orphan;
	return 0;
}

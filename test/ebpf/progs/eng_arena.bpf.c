/* scxlab engine tests: a BPF arena (BPF_MAP_TYPE_ARENA), its kfuncs and pointers of address space
 * 1, in our own words. Each SEC("syscall") program takes a u64 array as its context, reads its
 * inputs from it and writes what it saw back for the test to check. */
#include "eng_scx.h"

#define __arena __attribute__((address_space(1)))
/* A 64-bit value in a map definition: an enum constant (as libbpf's __ulong). */
#define __ulong(name, val) enum { name##_value = val } name
#define PAGE 4096

/* Definitions the misuse tests change with -D. */
#ifndef ARENA_FLAGS
#define ARENA_FLAGS (1 << 10) /* BPF_F_MMAPABLE */
#endif
#ifndef ARENA_PAGES
#define ARENA_PAGES 16
#endif
#ifndef ARENA_START
#define ARENA_START (1ull << 40)
#endif

struct {
	__uint(type, 33); /* BPF_MAP_TYPE_ARENA */
	__uint(map_flags, ARENA_FLAGS);
	__uint(max_entries, ARENA_PAGES);
	__ulong(map_extra, ARENA_START);
} arena SEC(".maps");

#ifdef SECOND_ARENA
struct {
	__uint(type, 33);
	__uint(map_flags, 1 << 10);
	__uint(max_entries, 1);
} arena2 SEC(".maps");
#endif

void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, u32 page_cnt, int node_id, u64 flags) __ksym;
void bpf_arena_free_pages(void *map, void __arena *ptr, u32 page_cnt) __ksym;
int bpf_arena_reserve_pages(void *map, void __arena *ptr, u32 page_cnt) __ksym;

u64 __arena hits;
u64 __arena table[4] = { 11, 22, 33, 44 };

struct node {
	struct node __arena *next;
	u64 value;
};

char _license[] SEC("license") = "GPL";

/* ctx[0] = pages to allocate; out: ctx[1] user address, ctx[2..3] first and last word read back. */
SEC("syscall") int alloc_rw(u64 *ctx)
{
	u64 __arena *p = bpf_arena_alloc_pages(&arena, 0, ctx[0], -1, 0);

	if (!p)
		return 1;
	ctx[1] = (u64)p;
	ctx[2] = p[0];
	p[0] = 0x1122334455667788ull;
	p[ctx[0] * PAGE / 8 - 1] = 99;
	ctx[2] = p[0];
	ctx[3] = p[ctx[0] * PAGE / 8 - 1];
	return 0;
}

/* Reads and writes past an allocated page: ctx[1] the word read there, ctx[2] the same word
 * read after writing 7 to it, ctx[3] the value read from a freed page, ctx[4] what a second
 * fetch-and-add there fetched. */
SEC("syscall") int unmapped(u64 *ctx)
{
	u64 __arena *p = bpf_arena_alloc_pages(&arena, 0, 1, -1, 0);
	volatile u64 __arena *beyond;

	if (!p)
		return 1;
	beyond = p + 3 * PAGE / 8;
	ctx[1] = *beyond;
	*beyond = 7;
	ctx[2] = *beyond;
	p[5] = 42;
	bpf_arena_free_pages(&arena, p, 1);
	ctx[3] = ((volatile u64 __arena *)p)[5];
	/* An atomic on a page nobody allocated: the kernel clears the register it fetches into. */
	__sync_fetch_and_add(beyond + 1, 3);
	ctx[4] = __sync_fetch_and_add(beyond + 1, 5);
	return 0;
}

/* __arena globals: ctx[1] = table[2], ctx[2] = hits after an atomic add, ctx[3] = &table as a user address. */
SEC("syscall") int globals(u64 *ctx)
{
	ctx[1] = table[2];
	__sync_fetch_and_add(&hits, 5);
	hits += 1;
	ctx[2] = hits;
	ctx[3] = (u64)&table[0];
	return 0;
}

/* A list in one page linked by __arena pointers; ctx[0] nodes; ctx[1] the sum walked. */
SEC("syscall") int list(u64 *ctx)
{
	struct node __arena *page = bpf_arena_alloc_pages(&arena, 0, 1, -1, 0);
	struct node __arena *head = 0;
	u64 n = ctx[0], sum = 0;

	if (!page || n > PAGE / sizeof(struct node))
		return 1;
	for (u64 i = 0; i < n && i < PAGE / sizeof(struct node); i++) {
		page[i].value = i + 1;
		page[i].next = head;
		head = &page[i];
	}
	for (int k = 0; head && k < 256; k++) {
		sum += head->value;
		head = head->next;
	}
	ctx[1] = sum;
	return 0;
}

/* Casts both ways, on the second page allocated (the first, at offset 0 of the 4 GiB window,
 * would read as NULL once cast to address space 0, as in the kernel): ctx[1] = a pointer cast to
 * address space 0, kept in memory as a number and cast back to 1 (the user address again),
 * ctx[2] = 1 when NULL stays NULL, ctx[3] the word written through the address-space-0
 * pointer, ctx[5] the cast back of 0 (NULL). */
SEC("syscall") int casts(u64 *ctx)
{
	u64 __arena *p = bpf_arena_alloc_pages(&arena, 0, 2, -1, 0);
	u64 __arena *none = (u64 __arena *)ctx[0];
	u64 *k;

	if (!p)
		return 1;
	p += PAGE / 8;
	k = (u64 *)p;
	*k = 1234;
	ctx[4] = (u64)k;
	ctx[1] = (u64)(u64 __arena *)(u64 *)ctx[4];
	ctx[2] = (u64 *)none == 0;
	ctx[3] = p[0];
	ctx[5] = (u64)(u64 __arena *)(u64 *)ctx[0];
	return 0;
}

/* Placement: ctx[0] a user address; out ctx[1] alloc there, ctx[2] alloc there again (taken),
 * ctx[3] misaligned, ctx[4] too many pages, ctx[5] flags set, ctx[6] reserve at ctx[0]+PAGE,
 * ctx[7] alloc in the reserved page, ctx[8] reserve again, ctx[9] alloc there after freeing it. */
SEC("syscall") int placement(u64 *ctx)
{
	void __arena *at = (void __arena *)ctx[0];
	void __arena *next = (void __arena *)(ctx[0] + PAGE);

	ctx[1] = (u64)bpf_arena_alloc_pages(&arena, at, 1, -1, 0);
	ctx[2] = (u64)bpf_arena_alloc_pages(&arena, at, 1, -1, 0);
	ctx[3] = (u64)bpf_arena_alloc_pages(&arena, (void __arena *)(ctx[0] + 8), 1, -1, 0);
	ctx[4] = (u64)bpf_arena_alloc_pages(&arena, 0, 17, -1, 0);
	ctx[5] = (u64)bpf_arena_alloc_pages(&arena, 0, 1, -1, 1);
	ctx[6] = (u64)bpf_arena_reserve_pages(&arena, next, 1);
	ctx[7] = (u64)bpf_arena_alloc_pages(&arena, next, 1, -1, 0);
	ctx[8] = (u64)bpf_arena_reserve_pages(&arena, next, 1);
	bpf_arena_free_pages(&arena, next, 1);
	ctx[9] = (u64)bpf_arena_alloc_pages(&arena, next, 1, -1, 0);
	return 0;
}

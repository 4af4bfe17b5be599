/*
 * Engine test program: every instruction class clang-19 emits for ISA v4 (-mcpu=v4), in .text
 * only (no maps, no helpers), so the test can run it without the loader. `run` must stay the
 * first function: the test enters at instruction 0. ctx[0..7] are inputs, ctx[8..29] outputs, ctx[30..31] atomics cells.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;

static __attribute__((noinline)) u64 mix(u64 a, u64 b, u64 c);
static __attribute__((noinline)) u64 fib(u32 n);
static __attribute__((noinline)) u64 count_escapes(void);

long run(u64 *ctx)
{
	u64 a = ctx[0], b = ctx[1], c = ctx[2];
	u32 a32 = (u32)a, b32 = (u32)b;
	volatile u8 bytes[16];
	u64 *out = ctx + 8;
	int i;

	/* ALU64 and ALU32, signed and unsigned division and modulo (x / 0 = 0, x % 0 = x) */
	out[0] = a + b * c - (a ^ c);
	out[1] = b ? a / b : 0;
	out[2] = (s64)b ? (u64)((s64)a / (s64)b) : 0;
	out[3] = (u64)((s64)a % ((s64)c | 1));
	out[4] = (u64)(a32 / (b32 | 1)) + ((u64)(u32)((s32)a32 % ((s32)b32 | 1)) << 32) + (u64)(u32)((s32)a32 / ((s32)b32 | 1));
	out[5] = (a << (c & 63)) | (b >> (a & 63)) | (u64)((s64)c >> 7);
	out[6] = (u64)(s64)(s8)a + (u64)(s64)(s16)b + (u64)(s64)(s32)c; /* movsx */
	out[7] = __builtin_bswap64(a) ^ __builtin_bswap32(b32) ^ __builtin_bswap16((u16)c);
	out[8] = (u64)(s32)(a32 * b32 - (u32)c) + (u64)(-(s64)a);

	/* sign-extending and plain loads of every size through the stack */
	for (i = 0; i < 8; i++)
		bytes[i] = (u8)(a >> (8 * i));
	for (i = 8; i < 16; i++)
		bytes[i] = (u8)(b >> (8 * (i - 8)));
	out[9] = (u64)*(volatile s8 *)&bytes[7] + (u64)*(volatile s16 *)&bytes[6] + (u64)*(volatile s32 *)&bytes[4];
	out[10] = (u64)*(volatile u8 *)&bytes[9] + (u64)*(volatile u16 *)&bytes[10] + (u64)*(volatile u32 *)&bytes[12];

	/* atomics on ctx memory, with and without fetch */
	ctx[30] = a;
	ctx[31] = b32;
	__sync_fetch_and_add(&ctx[30], c);                           /* no fetch */
	out[11] = __sync_fetch_and_add(&ctx[30], 5);                 /* fetch */
	out[12] = __sync_fetch_and_or(&ctx[30], b);
	out[13] = __sync_fetch_and_and(&ctx[30], ~c);
	out[14] = __sync_fetch_and_xor(&ctx[30], 0x5a5a5a5a5a5a5a5aULL);
	out[15] = __sync_lock_test_and_set(&ctx[30], c);             /* xchg */
	out[16] = __sync_val_compare_and_swap(&ctx[30], c, a);       /* succeeds */
	out[17] = __sync_val_compare_and_swap(&ctx[30], c, b);       /* fails: holds a now */
	out[18] = __sync_fetch_and_add((u32 *)&ctx[31], (u32)c);
	out[19] = __sync_val_compare_and_swap((u32 *)&ctx[31], b32 + (u32)c, 7u);

	/* subprogram calls and loops */
	out[20] = mix(a, b, c) + fib((u32)(c & 31));
	out[21] = count_escapes();
	return (long)(out[0] ^ out[20]);
}

static __attribute__((noinline)) u64 mix(u64 a, u64 b, u64 c)
{
	u64 h = 1469598103934665603ULL;
	int i;

	for (i = 0; i < 24; i++) {
		h ^= (a >> (i & 7)) + b;
		h *= 1099511628211ULL;
		if ((s64)h < (s64)c)
			h += c;
		else if ((u32)h > (u32)b)
			h -= b;
		a = a * 31 + (h >> 11);
	}
	return h;
}

static __attribute__((noinline)) u64 fib(u32 n)
{
	u64 x = 0, y = 1;

	while (n--) {
		u64 t = x + y;
		x = y;
		y = t;
	}
	return x;
}

/* A loop with no bound but may_goto: it runs until the kernel's loop counter runs out (8M). */
static __attribute__((noinline)) u64 count_escapes(void)
{
	u64 n = 0;

	for (;;) {
		asm volatile goto("may_goto %l[done]" :::: done);
		n++;
		if (n == 1000)
			return n;
	}
done:
	return ~0ULL;
}

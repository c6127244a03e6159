/*
 * The probes of gbt's USDT test program that have semaphores, compiled
 * without optimisation (as the test builds it, with a per-file -O0) so that
 * their arguments live in stack memory. See usdt.c.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

unsigned short gbt_stack_semaphore __attribute__((unused, section(".probes")));
unsigned short gbt_counted_semaphore __attribute__((unused, section(".probes")));

__attribute__((noinline, optimize("O0"))) int gbt_sem_round(int i)
{
	long l = (long)i * 3;
	int neg = -i;
	int hit = 0;
	DTRACE_PROBE2(gbt, stack, l, neg);
	if (gbt_counted_semaphore) {
		DTRACE_PROBE1(gbt, counted, i);
		hit = 1;
	}
	return hit;
}

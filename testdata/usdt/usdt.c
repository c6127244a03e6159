/*
 * usdt is gbt's test target for uprobes, uretprobes, USDT probes and user
 * symbols: known functions and SystemTap SDT probes whose arguments take
 * every location kind the compilers emit (register, stack memory, constant,
 * rip-relative global), with and without semaphores. Tests build it with
 *
 *	gcc -g -O2 -fno-omit-frame-pointer -o usdt usdt.c usdt_sem.c
 *
 * (sys/sdt.h from systemtap-sdt-dev) and run it as
 *
 *	usdt loop N    call each function and fire each probe N times, then
 *	               print "semaphore hits: K", K being how many of the N
 *	               rounds found gbt:counted's semaphore set
 *	usdt quiet N   the same loop, printing nothing (for tracer output
 *	               that must be compared as it is)
 *	usdt wait      print the addresses of gbt_add, gbt_cxx and gbt_loop
 *	               ("name 0x..."), one per line; then, for each line read
 *	               from standard input, run one round of the loop and
 *	               print "done"; exit at end of file. A test can attach
 *	               probes, trigger rounds, and resolve addresses while the
 *	               process lives.
 *
 * Arguments in round i (0 <= i < N):
 *	gbt:regs      (int i, long -i*1000, unsigned char i%256)  registers
 *	gbt:consts    (5, -7)                                     constants
 *	gbt:global    (gbt_global = 100+i)                        rip-relative
 *	gbt:stack     (long i*3, int -i)                          stack memory (usdt_sem.c, -O0 code)
 *	gbt:counted   (int i), only while its semaphore is set    (usdt_sem.c)
 * gbt_add(i, 1) returns i+1; gbt_cxx(i) ("gbt::cxx(int)") returns 2*i.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>

volatile int gbt_global;

int gbt_sem_round(int i); /* usdt_sem.c: fires gbt:stack and gbt:counted */

__attribute__((noinline)) int gbt_add(int a, int b)
{
	__asm__ volatile("" ::: "memory");
	return a + b;
}

/* A C function under a C++ mangled name, so that demangling is tested
 * without a C++ compiler: _ZN3gbt3cxxEi is gbt::cxx(int). */
int gbt_cxx(int x) __asm__("_ZN3gbt3cxxEi");
__attribute__((noinline)) int gbt_cxx(int x)
{
	__asm__ volatile("" ::: "memory");
	return 2 * x;
}

__attribute__((noinline)) void gbt_regs(int i, long l, unsigned char c)
{
	DTRACE_PROBE3(gbt, regs, i, l, c);
}

__attribute__((noinline)) int gbt_loop(int n)
{
	int hits = 0;
	for (int i = 0; i < n; i++) {
		gbt_add(i, 1);
		gbt_cxx(i);
		gbt_regs(i, -(long)i * 1000, (unsigned char)(i % 256));
		DTRACE_PROBE2(gbt, consts, 5, -7);
		gbt_global = 100 + i;
		DTRACE_PROBE1(gbt, global, gbt_global);
		hits += gbt_sem_round(i);
	}
	return hits;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "loop") == 0) {
		printf("semaphore hits: %d\n", gbt_loop(atoi(argv[2])));
		return 0;
	}
	/* The same loop, silent: a tracer's output is then all there is. */
	if (argc == 3 && strcmp(argv[1], "quiet") == 0) {
		gbt_loop(atoi(argv[2]));
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "wait") == 0) {
		printf("gbt_add %p\ngbt_cxx %p\ngbt_loop %p\n", (void *)gbt_add, (void *)gbt_cxx, (void *)gbt_loop);
		fflush(stdout);
		for (int c; (c = getchar()) != EOF;) {
			if (c == '\n') {
				gbt_loop(1);
				printf("done\n");
				fflush(stdout);
			}
		}
		return 0;
	}
	fprintf(stderr, "usage: usdt loop N | usdt quiet N | usdt wait\n");
	return 2;
}

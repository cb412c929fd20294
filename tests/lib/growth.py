"""growth: the one rule for "time grows linearly" (issue 11), shared by the suites that
time a command on the same input at three sizes, each 4x the one before.

Work that is linear costs 4x per 4x step in instructions (callgrind: chat --json on 10k
and 40k colliding tuples, 0.668 and 2.662 G instructions, 3.99x), but the step where the
working set leaves the CPU caches takes up to ~1.35x more per instruction, and a shared
CI machine adds noise. So: the whole range (16x the input) may take at most
RATIO_MAX**2 = 25x, and one 4x step at most STEP_MAX = 6.5x; quadratic work is 16x a step
and 256x over the range, far past both. A time under NOISE_S is mostly the fixed cost of
starting a process: it is counted as NOISE_S, so 9 ms -> 48 ms is not "5.3x growth" while
9 ms -> 1 s still fails. Times are CPU seconds (user + sys), the least of several runs."""

RATIO_MAX = 5.0   # per 4x, held over the whole range
STEP_MAX = 6.5    # one 4x step
NOISE_S = 0.020   # below this, start-up cost and timer resolution dominate


def problems(sizes, times):
    """What breaks the rule for CPU times measured at sizes (each 4x the previous), as
    sentences; empty when the growth is linear."""
    t = [max(x, NOISE_S) for x in times]
    out = []
    for k in range(1, len(t)):
        r = t[k] / t[k - 1]
        if r > STEP_MAX:
            out.append("t(%d)/t(%d) = %.3f/%.3f s = %.1f > %.1f" % (
                sizes[k], sizes[k - 1], times[k], times[k - 1], r, STEP_MAX))
    steps = len(t) - 1
    if steps > 1 and t[-1] / t[0] > RATIO_MAX ** steps:
        out.append("t(%d)/t(%d) = %.3f/%.3f s = %.1f > %.0f" % (
            sizes[-1], sizes[0], times[-1], times[0], t[-1] / t[0], RATIO_MAX ** steps))
    return out

"""Python's multiprocessing start-up: Process.start() until the target runs, median of N.

Usage: python3 startup.py METHOD COUNT   (METHOD: spawn, fork or forkserver)
Prints the median in nanoseconds.
"""
import multiprocessing
import statistics
import sys
import time


def target(shared):
    shared.value = time.monotonic_ns()


def main():
    method, count = sys.argv[1], int(sys.argv[2])
    context = multiprocessing.get_context(method)
    samples = []
    for _ in range(count):
        shared = context.Value('q', 0, lock=False)
        start = time.monotonic_ns()
        process = context.Process(target=target, args=(shared,))
        process.start()
        while shared.value == 0:
            time.sleep(0.0001)
        samples.append(shared.value - start)
        process.join()
    print(int(statistics.median(samples)))


if __name__ == '__main__':
    main()

"""Python multiprocessing's Manager().dict() and Pool on this machine, for multiproc bench.

Usage:
  python3 ops_bench.py dict SECONDS          put+get pairs on a Manager().dict() from a child process
  python3 ops_bench.py pool WORKERS TASKS CHUNKS ITEMS RUNS
                                             Pool(WORKERS): creation to first result, a map of TASKS trivial tasks,
                                             then the median of RUNS maps of CHUNKS chunks of ITEMS items, those of
                                             even chunks 1 ms of CPU each, the others none
Prints one JSON object per line.
"""
import functools
import json
import multiprocessing
import os
import sys
import time


def dict_ops(shared, seconds, results):
    value = b'v' * 8
    operations = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for i in range(100):
            key = 'key-%012d' % (operations % 10000)
            shared[key] = value
            shared.get(key)
            operations += 2
    results.put(operations / seconds)


def increment(x):
    return x + 1


def spin_in_even_chunks(chunk_items, x):
    """1 ms of CPU (a busy loop) for the items of even chunks, nothing for the others."""
    if x // chunk_items % 2 == 0:
        end = time.perf_counter() + 0.001
        while time.perf_counter() < end:
            pass
    return x


def resident_kb(_):
    """This worker's pid and resident memory in kB (0 where /proc does not tell it)."""
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('VmRSS:'):
                    return os.getpid(), int(line.split()[1])
    except OSError:
        pass
    return os.getpid(), 0


def main():
    context = multiprocessing.get_context('spawn')
    if sys.argv[1] == 'dict':
        seconds = float(sys.argv[2])
        with context.Manager() as manager:
            shared = manager.dict()
            results = context.Queue()
            child = context.Process(target=dict_ops, args=(shared, seconds, results))
            child.start()
            rate = results.get()
            child.join()
        print(json.dumps({"scenario": "manager dict put+get from a child", "ops_per_second": rate}))
    else:
        workers, tasks = int(sys.argv[2]), int(sys.argv[3])
        chunks, chunk_items, runs = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
        start = time.monotonic()
        with context.Pool(workers) as pool:
            pool.apply(increment, (1,))
            first = time.monotonic() - start
            start = time.monotonic()
            results = pool.map(increment, range(tasks))
            elapsed = time.monotonic() - start
            assert results[-1] == tasks
            uneven, spin = range(chunks * chunk_items), functools.partial(spin_in_even_chunks, chunk_items)
            pool.map(spin, uneven, chunksize=chunk_items)
            uneven_seconds = []
            for _ in range(runs):
                uneven_start = time.monotonic()
                pool.map(spin, uneven, chunksize=chunk_items)
                uneven_seconds.append(time.monotonic() - uneven_start)
            uneven_seconds.sort()
            # tasks of one item each, several per worker, so that every worker reports itself
            resident = dict(pool.map(resident_kb, range(workers * 8), chunksize=1))
        print(json.dumps({"scenario": "pool", "first_result_seconds": first, "map_seconds": elapsed, "tasks": tasks,
                          "uneven_seconds": uneven_seconds[len(uneven_seconds) // 2],
                          "worker_resident_kb": sum(resident.values()) / len(resident)}))


if __name__ == '__main__':
    main()

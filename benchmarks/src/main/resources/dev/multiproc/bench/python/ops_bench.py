"""Python multiprocessing's Manager().dict() and Pool on this machine, for multiproc bench.

Usage:
  python3 ops_bench.py dict SECONDS          put+get pairs on a Manager().dict() from a child process
  python3 ops_bench.py pool WORKERS TASKS    Pool(WORKERS): creation to first result, then map of TASKS trivial tasks
Prints one JSON object per line.
"""
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
        start = time.monotonic()
        with context.Pool(workers) as pool:
            pool.apply(increment, (1,))
            first = time.monotonic() - start
            start = time.monotonic()
            results = pool.map(increment, range(tasks))
            elapsed = time.monotonic() - start
            assert results[-1] == tasks
            # tasks of one item each, several per worker, so that every worker reports itself
            resident = dict(pool.map(resident_kb, range(workers * 8), chunksize=1))
        print(json.dumps({"scenario": "pool", "first_result_seconds": first, "map_seconds": elapsed, "tasks": tasks,
                          "worker_resident_kb": sum(resident.values()) / len(resident)}))


if __name__ == '__main__':
    main()

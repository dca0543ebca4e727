"""Python multiprocessing Pipe and Queue between two processes: round trips and throughput.

Usage: python3 ipc_bench.py TRANSPORT SIZES SECONDS
  TRANSPORT: pipe or queue;  SIZES: comma-separated message sizes;  SECONDS: per measurement
Prints one JSON object per line:
  {"scenario": "round trip", "size": N, "percentiles": [[p, ns], ...], "count": N}
  {"scenario": "throughput 1->1", "size": N, "messages": N, "nanos": N}
Both processes are started with the 'spawn' method, as multiproc starts new JVMs.
"""
import json
import multiprocessing
import sys
import time

PERCENTILES = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100]
STOP = b'stop'


def receiver(channel):
    """A pipe connection's recv_bytes, or a queue's get."""
    return channel.recv_bytes if hasattr(channel, 'recv_bytes') else channel.get


def sender(channel):
    """A pipe connection's send_bytes, or a queue's put."""
    return channel.send_bytes if hasattr(channel, 'send_bytes') else channel.put


def echo_all(incoming, outgoing):
    receive, send = receiver(incoming), sender(outgoing)
    while True:
        message = receive()
        if message == STOP:
            return
        send(message)


def count(incoming, results):
    receive = receiver(incoming)
    messages = 0
    first = last = 0
    while True:
        message = receive()
        if message == STOP:
            break
        now = time.monotonic_ns()
        if messages == 0:
            first = now
        messages += 1
        last = now
    results.put((messages, last - first))


def percentiles(samples):
    samples.sort()
    result = []
    for p in PERCENTILES:
        index = min(len(samples) - 1, int(round(p / 100.0 * (len(samples) - 1))))
        result.append([p, samples[index]])
    return result


def measure(transport, size, seconds, context):
    message = b'x' * size
    if transport == 'pipe':
        here, there = context.Pipe()
        echo = context.Process(target=echo_all, args=(there, there))
        send, receive = here.send_bytes, here.recv_bytes
    else:
        to_child, to_parent = context.Queue(), context.Queue()
        echo = context.Process(target=echo_all, args=(to_child, to_parent))
        send, receive = to_child.put, to_parent.get
    echo.start()
    send(message)
    receive()
    samples = []
    warmup_end = time.monotonic_ns() + int(seconds * 0.2e9)
    end = warmup_end + int(seconds * 1e9)
    while True:
        start = time.monotonic_ns()
        if start >= end:
            break
        send(message)
        receive()
        if start >= warmup_end:
            samples.append(time.monotonic_ns() - start)
    send(STOP)
    echo.join()
    print(json.dumps({"scenario": "round trip", "size": size, "percentiles": percentiles(samples), "count": len(samples)}))

    results = context.Queue()
    if transport == 'pipe':
        reader, writer = context.Pipe(duplex=False)
        counter = context.Process(target=count, args=(reader, results))
        send = writer.send_bytes
    else:
        channel = context.Queue()
        counter = context.Process(target=count, args=(channel, results))
        send = channel.put
    counter.start()
    end = time.monotonic_ns() + int(seconds * 1e9)
    sent = 0
    while sent % 64 != 0 or time.monotonic_ns() < end:
        send(message)
        sent += 1
    send(STOP)
    messages, nanos = results.get()
    counter.join()
    print(json.dumps({"scenario": "throughput 1->1", "size": size, "messages": messages, "nanos": nanos}))
    sys.stdout.flush()


def main():
    transport, sizes, seconds = sys.argv[1], [int(s) for s in sys.argv[2].split(',')], float(sys.argv[3])
    context = multiprocessing.get_context('spawn')
    for size in sizes:
        measure(transport, size, seconds, context)


if __name__ == '__main__':
    main()

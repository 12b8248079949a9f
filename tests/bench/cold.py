"""64 simultaneous first requests with one fresh key: prints p50 and p99 in ms.
Args: BASE KEY"""
import sys, threading, time, urllib.request

base, key = sys.argv[1], sys.argv[2]
barrier = threading.Barrier(64)
times, errors = [], []

def one():
    req = urllib.request.Request(base + "/v1/profiles?limit=1", headers={"x-api-key": key})
    barrier.wait()
    t = time.perf_counter()
    try:
        urllib.request.urlopen(req).read()
        times.append((time.perf_counter() - t) * 1000)
    except Exception as e:
        errors.append(str(e))

threads = [threading.Thread(target=one) for _ in range(64)]
for t in threads: t.start()
for t in threads: t.join()
times.sort()
assert not errors, errors[:3]
print(f"{times[len(times)//2]:.1f} {times[int(len(times)*0.99)-1]:.1f}")

"""Drives bench/cas-vs-nginx: the same loads against nginx and cas-service, their order alternating each round,
medians over the rounds, every answer checked, and the machine's limits measured in the same run.

Small blobs go through wrk (bench/wrk/blobs.lua checks each answer's status, and a GET's bytes against the
pool); the 1 GiB blob through curl, its size checked and sampled ranges compared byte for byte. A figure whose
checks failed is printed as FAILED and the run exits non-zero.
"""
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time

NGINX, CAS = "nginx", "cas-service"
SMALL = 4096
BIG = 1 << 30


def main(nginx_url, cas_url, token, work, cas_pid, nginx_pid, wrk):
    rounds = int(os.environ.get("ROUNDS", "3"))
    seconds = os.environ.get("SECONDS_PER_RUN", "5")
    first_seconds = os.environ.get("FIRST_WRITE_SECONDS", "3")
    servers = {
        NGINX: {"url": nginx_url, "token": "", "prefix": "/", "nested": True},
        CAS: {"url": cas_url, "token": token, "prefix": "/cas/", "nested": False},
    }
    bench = Bench(work, wrk, servers)
    limits = bench.limits()
    results, failures = {}, []

    stored = bench.pool("stored", 4000)
    for name in servers:
        bench.store_all(name, stored)
    big = bench.big_blob()
    for name in servers:
        # Untimed: the JIT compiles cas-service's GET path before the first timed round, as in a service that runs.
        bench.wrk(name, stored, "GET", "200", 16, seconds)

    for r in range(rounds):
        order = [NGINX, CAS] if r % 2 == 0 else [CAS, NGINX]
        for name in order:
            def record(load, value, problem):
                results.setdefault(load, {}).setdefault(name, []).append(value)
                if problem:
                    failures.append(f"{load}, {name}, round {r + 1}: {problem}")
            for load, value, problem in bench.big_round(name, big):
                record(load, value, problem)
            value, problem = bench.wrk(name, stored, "GET", "200", 16, seconds)
            record("GET 4 KiB, 16 connections", value, problem)
            value, problem = bench.wrk(name, stored, "PUT", "200,201,204", 16, seconds)
            record("PUT 4 KiB already stored, 16 connections", value, problem)
            for connections in (16, 1):
                # nginx stores up to 13,000 a second on 16 connections here: the pool outlasts the run.
                fresh = bench.pool(f"fresh-{name}-{r}-{connections}", 20000 * int(first_seconds))
                value, problem = bench.wrk(name, fresh, "PUT", "201", connections, first_seconds)
                record(f"PUT 4 KiB first write, {connections} connection{'s' if connections > 1 else ''}",
                       value, problem)
                bench.discard(fresh)

    memory = bench.memory(cas_pid, nginx_pid)
    report(results, limits, memory, failures, rounds)
    return 1 if failures else 0


class Bench:
    def __init__(self, work, wrk, servers):
        self.work, self.wrk_bin, self.servers = work, wrk, servers
        self.script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wrk", "blobs.lua")

    def pool(self, label, count):
        """count random blobs of 4 KiB: one file of their bytes, and per server a file of their paths."""
        directory = os.path.join(self.work, "pools", label)
        os.makedirs(directory, exist_ok=True)
        names = []
        with open(os.path.join(directory, "bodies"), "wb") as bodies:
            for _ in range(count):
                blob = os.urandom(SMALL)
                bodies.write(blob)
                names.append(hashlib.sha256(blob).hexdigest())
        for server, config in self.servers.items():
            with open(os.path.join(directory, server), "w") as paths:
                for hex_name in names:
                    paths.write((f"{hex_name[:2]}/{hex_name}" if config["nested"] else hex_name) + "\n")
        return {"dir": directory, "names": names}

    def discard(self, pool):
        shutil.rmtree(pool["dir"])

    def store_all(self, server, pool):
        """Stores a pool once, before the timed runs, and checks that every blob reads back."""
        config = self.servers[server]
        env = self.wrk_env(server, pool, "PUT", "200,201,204")
        # Long enough to store the whole pool, then every further pass only rewrites.
        out = self.run_wrk(env, 4, 10)
        if out["unexpected"] or out["socket_errors"]:
            raise SystemExit(f"storing the pool in {server} failed: {out}")
        with open(os.path.join(pool["dir"], server)) as paths:
            for path in random.sample(paths.read().split(), 20):
                got = subprocess.run(["curl", "-sf", "-H", f"Authorization: Bearer {config['token']}",
                                      config["url"].rstrip("/") + config["prefix"] + path],
                                     capture_output=True).stdout
                if hashlib.sha256(got).hexdigest() != path.split("/")[-1]:
                    raise SystemExit(f"{server} did not store {path}")

    def wrk_env(self, server, pool, method, expect, threads=2):
        config = self.servers[server]
        return dict(os.environ, POOL=os.path.join(pool["dir"], server), BODIES=os.path.join(pool["dir"], "bodies"),
                    SIZE=str(SMALL), METHOD=method, PREFIX=config["prefix"], TOKEN=config["token"], THREADS=str(threads),
                    EXPECT=expect, URL=config["url"])

    def run_wrk(self, env, connections, seconds):
        done = subprocess.run([self.wrk_bin, f"-t{env['THREADS']}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
                               "-s", self.script, env["URL"]], env=env, capture_output=True, text=True)
        line = next((l for l in done.stdout.splitlines() if l.startswith("WRK ")), None)
        if line is None:
            raise SystemExit(f"wrk said nothing usable:\n{done.stdout}\n{done.stderr}")
        return json.loads(line[4:])

    def wrk(self, server, pool, method, expect, connections, seconds):
        env = self.wrk_env(server, pool, method, expect, threads=min(2, connections))
        out = self.run_wrk(env, connections, seconds)
        problems = []
        if out["unexpected"]:
            problems.append(f"{out['unexpected']} unexpected statuses {out['statuses']}")
        if out["wrong_bytes"]:
            problems.append(f"{out['wrong_bytes']} answers whose bytes are no blob of the pool")
        if out["socket_errors"]:
            problems.append(f"{out['socket_errors']} socket errors")
        if expect == "201" and out["wrapped"]:
            problems.append("the fresh pool ran out: some writes were not first writes (make it bigger)")
        return out["requests"] / out["seconds"], "; ".join(problems)

    def big_blob(self):
        path = os.path.join(self.work, "big.bin")
        with open(path, "wb") as out:
            for _ in range(BIG // (16 << 20)):
                out.write(os.urandom(16 << 20))
        with open(path, "rb") as data:
            digest = hashlib.file_digest(data, "sha256").hexdigest() if hasattr(hashlib, "file_digest") else \
                sha256_of(data)
        return {"path": path, "hex": digest}

    def big_round(self, server, big):
        config = self.servers[server]
        url = config["url"].rstrip("/") + config["prefix"] + (big["hex"] if not config["nested"] else "big.bin")
        auth = ["-H", f"Authorization: Bearer {config['token']}"]
        # Each PUT is a first write: what was stored the round before is removed first.
        subprocess.run(["curl", "-s", "-o", "/dev/null", "-X", "DELETE", *auth, url], check=True)
        put = curl(["-T", big["path"], "-H", "Expect:", *auth, url])
        put_problem = "" if put["status"] in (201, 204) else f"status {put['status']}"
        get = curl(["-o", "/dev/null", *auth, url])
        get_problem = "" if get["status"] == 200 and get["bytes"] == BIG else f"status {get['status']}, {get['bytes']} bytes"
        if not get_problem:
            with open(big["path"], "rb") as local:
                for offset in random.sample(range(0, BIG - 65536, 4096), 4):
                    local.seek(offset)
                    sample = subprocess.run(["curl", "-sf", *auth, "-H", f"Range: bytes={offset}-{offset + 65535}",
                                             url], capture_output=True).stdout
                    if sample != local.read(65536):
                        get_problem = f"the bytes at {offset} differ"
        return [("PUT 1 GiB (MB/s)", BIG / put["seconds"] / 1e6, put_problem),
                ("GET 1 GiB (MB/s)", BIG / get["seconds"] / 1e6, get_problem)]

    def limits(self):
        target = os.path.join(self.work, "dd.bin")
        started = time.monotonic()
        subprocess.run(["dd", "if=/dev/zero", f"of={target}", "bs=1M", "count=1024", "conv=fsync"],
                       check=True, capture_output=True)
        dd = BIG / (time.monotonic() - started) / 1e6
        # The hash as the service computes it (the JDK's SHA-256 uses the CPU's SHA extensions, as openssl does).
        speed = subprocess.run(["openssl", "speed", "-evp", "sha256", "-bytes", str(1 << 20), "-seconds", "2"],
                               check=True, capture_output=True, text=True).stdout
        sha = float(re.search(r"^sha256\s+([\d.]+)k", speed, re.M).group(1)) * 1000 / 1e6
        os.remove(target)
        # One durable 4 KiB write as the store makes it: file written and fsynced, renamed, directory fsynced.
        directory = os.path.join(self.work, "durable")
        os.makedirs(directory, exist_ok=True)
        blob = os.urandom(SMALL)
        dir_fd = os.open(directory, os.O_RDONLY)
        count, started = 0, time.monotonic()
        while time.monotonic() - started < 3:
            temp = os.path.join(directory, f".t{count}")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
            os.write(fd, blob)
            os.fsync(fd)
            os.close(fd)
            os.rename(temp, os.path.join(directory, str(count)))
            os.fsync(dir_fd)
            count += 1
        small = count / (time.monotonic() - started)
        os.close(dir_fd)
        shutil.rmtree(directory)
        return {"dd conv=fsync, 1 GiB (MB/s)": dd, "SHA-256 on one core, openssl speed (MB/s)": sha,
                "durable 4 KiB file writes in sequence (files/s)": small}

    def memory(self, cas_pid, nginx_pid):
        heap = subprocess.run(["jcmd", str(cas_pid), "GC.heap_info"], capture_output=True, text=True).stdout
        used = re.findall(r"used (\d+)K", heap)
        nginx_kib = sum(hwm(p) for p in [nginx_pid] + children(nginx_pid))
        return {"cas-service peak RSS (VmHWM)": f"{hwm(cas_pid) // 1024} MiB",
                "cas-service heap used at the end (jcmd GC.heap_info)":
                    f"{sum(int(u) for u in used[:1]) // 1024} MiB" if used else "unknown",
                "nginx peak RSS, master and workers": f"{nginx_kib // 1024} MiB"}


def sha256_of(data):
    digest = hashlib.sha256()
    for chunk in iter(lambda: data.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def curl(args):
    out = subprocess.run(["curl", "-s", "-w", "%{http_code} %{size_download} %{time_total}", *args],
                         capture_output=True, text=True, check=True).stdout.split()
    return {"status": int(out[-3]), "bytes": int(out[-2]), "seconds": float(out[-1])}


def hwm(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def report(results, limits, memory, failures, rounds):
    print(f"\nMedians of {rounds} rounds (requests/s unless named), order alternating; the spread of the rounds "
          f"in brackets:\n")
    print("| | nginx | cas-service | ratio |\n| --- | --- | --- | --- |")
    spread = lambda values: f"{min(values):,.0f}-{max(values):,.0f}"
    for load, by_server in results.items():
        n, c = statistics.median(by_server[NGINX]), statistics.median(by_server[CAS])
        print(f"| {load} | {n:,.0f} ({spread(by_server[NGINX])}) | {c:,.0f} ({spread(by_server[CAS])}) "
              f"| {c / n:.2f} |")
    print("\nLimits measured in the same run:\n")
    for name, value in limits.items():
        print(f"- {name}: {value:,.0f}")
    put_big = statistics.median(results["PUT 1 GiB (MB/s)"][CAS])
    print(f"- cas-service PUT 1 GiB against the durable-write limit: "
          f"{put_big / limits['dd conv=fsync, 1 GiB (MB/s)']:.2f}")
    sequential = statistics.median(results["PUT 4 KiB first write, 1 connection"][CAS])
    print(f"- cas-service first writes on one connection against durable 4 KiB writes in sequence: "
          f"{sequential / limits['durable 4 KiB file writes in sequence (files/s)']:.2f}")
    print("\nMemory:\n")
    for name, value in memory.items():
        print(f"- {name}: {value}")
    if failures:
        print("\nFAILED checks:")
        for failure in failures:
            print(f"- {failure}")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]))

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives nginx and cas-service with the same client, the same bytes and the same concurrency, and prints
 * throughput side by side. Args: nginx base URL, cas-service base URL, cas token, work dir, cas-service pid.
 */
public class CasVsNginx {

    static final long BIG = 1L << 30;
    static final int SMALL_COUNT = 10_000;
    static final int SMALL_SIZE = 4096;
    static final int CONCURRENCY = 32;
    static final int ROUNDS = 3;

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        URI nginx = URI.create(args[0]);
        URI cas = URI.create(args[1]);
        String token = args[2];
        Path work = Path.of(args[3]);
        long casPid = Long.parseLong(args[4]);

        Path big = work.resolve("big.bin");
        String bigHex = writeRandom(big, BIG, 1);
        List<byte[]> smalls = new ArrayList<>();
        List<String> smallHex = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < SMALL_COUNT; i++) {
            byte[] blob = new byte[SMALL_SIZE];
            random.nextBytes(blob);
            smalls.add(blob);
            smallHex.add(sha256(blob));
        }

        HeapSampler heap = new HeapSampler(casPid);
        long baseline = heap.sampleNow();
        heap.start();

        Target n = new Target("nginx", hex -> nginx.resolve("blobs/" + hex), null);
        Target c = new Target("cas-service", hex -> cas.resolve("cas/" + hex), token);
        double[][] results = new double[4][2];
        Target[] targets = {n, c};
        for (int t = 0; t < 2; t++) {
            Target target = targets[t];
            results[0][t] = best(() -> mbPerSecond(BIG, timed(() -> putFile(target, bigHex, big))));
            results[1][t] = best(() -> mbPerSecond(BIG, timed(() -> getDiscard(target, bigHex, BIG))));
            results[2][t] = best(() -> SMALL_COUNT / seconds(timed(() -> putSmalls(target, smallHex, smalls))));
            results[3][t] = best(() -> SMALL_COUNT / seconds(timed(() -> getSmalls(target, smallHex))));
        }
        heap.stop();

        System.out.printf("%nSlipway cas-service vs nginx, loopback, HTTP/1.1, best of %d rounds (%d cores)%n", ROUNDS,
                Runtime.getRuntime().availableProcessors());
        System.out.printf("%-28s %14s %14s %8s%n", "", "nginx", "cas-service", "ratio");
        String[] names = {"PUT 1 GiB (MB/s)", "GET 1 GiB (MB/s)",
                "PUT 10,000 x 4 KiB (req/s)", "GET 10,000 x 4 KiB (req/s)"};
        for (int i = 0; i < 4; i++) {
            System.out.printf("%-28s %14.0f %14.0f %8.2f%n", names[i], results[i][0], results[i][1],
                    results[i][1] / results[i][0]);
        }
        System.out.printf("cas-service heap used: %d MiB before, %d MiB at peak (growth %d MiB)%n",
                baseline >> 20, heap.peak() >> 20, (heap.peak() - baseline) >> 20);
        // The price of never serving known-corrupt bytes while GETs stay zero-copy: re-hashing the store.
        HttpResponse<String> scrub = HTTP.send(HttpRequest.newBuilder(cas.resolve("cas/scrub"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        Matcher bytes = Pattern.compile("\"bytes\":(\\d+)").matcher(scrub.body());
        Matcher secs = Pattern.compile("\"seconds\":([0-9.]+)").matcher(scrub.body());
        if (scrub.statusCode() == 200 && bytes.find() && secs.find()) {
            double mb = Long.parseLong(bytes.group(1)) / 1e6;
            System.out.printf("cas-service scrub pass: %.0f MB re-hashed in %s s (%.0f MB/s), %s%n", mb, secs.group(1),
                    mb / Double.parseDouble(secs.group(1)), scrub.body());
        } else {
            System.out.println("scrub failed: " + scrub.statusCode() + " " + scrub.body());
        }
        Files.deleteIfExists(big);
    }

    record Target(String name, java.util.function.Function<String, URI> url, String token) {
        HttpRequest.Builder request(String hex) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(url.apply(hex)).timeout(Duration.ofMinutes(5));
            return token == null ? builder : builder.header("Authorization", "Bearer " + token);
        }
    }

    interface Run {
        void run() throws Exception;
    }

    interface Measure {
        double measure() throws Exception;
    }

    static double best(Measure measure) throws Exception {
        double best = 0;
        for (int i = 0; i < ROUNDS; i++) {
            best = Math.max(best, measure.measure());
        }
        return best;
    }

    static long timed(Run run) throws Exception {
        long start = System.nanoTime();
        run.run();
        return System.nanoTime() - start;
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static double mbPerSecond(long bytes, long nanos) {
        return bytes / 1e6 / seconds(nanos);
    }

    static void putFile(Target target, String hex, Path file) throws Exception {
        check(HTTP.send(target.request(hex).PUT(HttpRequest.BodyPublishers.ofFile(file)).build(),
                HttpResponse.BodyHandlers.discarding()), target, "PUT");
    }

    static void getDiscard(Target target, String hex, long size) throws Exception {
        HttpResponse<java.io.InputStream> response = HTTP.send(target.request(hex).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        check(response, target, "GET");
        long read = response.body().transferTo(OutputStream.nullOutputStream());
        if (read != size) {
            throw new IllegalStateException(target.name() + " returned " + read + " bytes, not " + size);
        }
    }

    static void putSmalls(Target target, List<String> hexes, List<byte[]> blobs) throws Exception {
        parallel(hexes.size(), i -> HTTP.sendAsync(target.request(hexes.get(i))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blobs.get(i))).build(), HttpResponse.BodyHandlers.discarding())
                .thenAccept(r -> check(r, target, "PUT")));
    }

    static void getSmalls(Target target, List<String> hexes) throws Exception {
        parallel(hexes.size(), i -> HTTP.sendAsync(target.request(hexes.get(i)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray()).thenAccept(r -> check(r, target, "GET")));
    }

    static void parallel(int count, java.util.function.IntFunction<CompletableFuture<Void>> call) throws Exception {
        Semaphore slots = new Semaphore(CONCURRENCY);
        List<CompletableFuture<Void>> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            slots.acquire();
            all.add(call.apply(i).whenComplete((r, e) -> slots.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
    }

    static void check(HttpResponse<?> response, Target target, String method) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(target.name() + " " + method + " answered " + response.statusCode());
        }
    }

    static String writeRandom(Path file, long size, long seed) throws IOException {
        MessageDigest sha = sha();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                sha.update(chunk);
                out.write(chunk);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha().digest(bytes));
    }

    static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Samples the service's used heap with jcmd (no agent in the service, no change to how it runs). */
    static final class HeapSampler {
        private static final Pattern USED = Pattern.compile("used (\\d+)K");
        private final long pid;
        private final AtomicLong peak = new AtomicLong();
        private volatile boolean running;
        private Thread thread;

        HeapSampler(long pid) {
            this.pid = pid;
        }

        long sampleNow() throws IOException, InterruptedException {
            Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes());
            jcmd.waitFor();
            Matcher m = USED.matcher(out);
            long used = m.find() ? Long.parseLong(m.group(1)) * 1024 : 0;
            peak.accumulateAndGet(used, Math::max);
            return used;
        }

        void start() {
            running = true;
            thread = new Thread(() -> {
                while (running) {
                    try {
                        sampleNow();
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        long peak() {
            return peak.get();
        }
    }
}

package dev.slipway.deploy.services;

import dev.slipway.agent.AgentConfig;
import dev.slipway.deploy.LocalInfrastructure;
import dev.slipway.deploy.demo.Demo;
import dev.slipway.deploy.demo.Narrator;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./slipway-local}: starts the whole stack and runs the demo's first step; {@code ship-bad} and
 * {@code ship-java} run its later steps against the stack already running. Options are docs/configuration.md's.
 */
@Command(name = "slipway-local", mixinStandardHelpOptions = true, version = "slipway-local 0.1.0", sortOptions = false,
        description = "Runs Slipway on this machine: a Kafka broker, PostgreSQL, every service and a demo fleet.")
public final class SlipwayLocal implements Callable<Integer> {

    /** The running stack's agents and other sets, for the later steps: {@code <data-dir>/shape.properties}. */
    static final String SHAPE = "shape.properties";

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "STEP", description = "ship-bad or ship-java: a later step of the demo, "
            + "against the stack already running")
    String step;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "broker log, PostgreSQL cluster, logs, store (default: ${DEFAULT-VALUE})")
    Path dataDirectory = LocalInfrastructure.Settings.DEFAULTS.dataDirectory();

    @Option(names = "--kafka-port", paramLabel = "PORT", description = "the broker's port; the controller takes PORT+1 (default: ${DEFAULT-VALUE})")
    int kafkaPort = LocalInfrastructure.Settings.DEFAULTS.kafkaPort();

    @Option(names = "--postgres-port", paramLabel = "PORT", description = "PostgreSQL's port (default: ${DEFAULT-VALUE})")
    int postgresPort = LocalInfrastructure.Settings.DEFAULTS.postgresPort();

    @Option(names = "--agents", paramLabel = "N", description = "agents of the demo set, host-0 a canary (default: ${DEFAULT-VALUE})")
    int agents = 5;

    @Option(names = "--set", paramLabel = "NAME", description = "one more set with one agent, e.g. demo-schema (repeatable)")
    List<String> otherSets = new ArrayList<>();

    @Option(names = "--agent-property", paramLabel = "KEY=VALUE",
            description = "a slipway.agent.* setting for every agent (repeatable)")
    Map<String, String> agentProperties = new LinkedHashMap<>();

    @Option(names = "--no-demo", description = "start the stack alone")
    boolean noDemo;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SlipwayLocal()).execute(args));
    }

    /** The infrastructure's settings, checked. */
    LocalInfrastructure.Settings settings() {
        port("--kafka-port", kafkaPort);
        port("--postgres-port", postgresPort);
        return new LocalInfrastructure.Settings(dataDirectory, kafkaPort, kafkaPort + 1, postgresPort);
    }

    /** The services' ports and what the options add to them, checked. */
    LocalStack.ServicePorts ports() {
        if (agents < 1 || agents > 100) {
            throw new ParameterException(spec.commandLine(), "--agents takes 1 to 100 agents, not " + agents);
        }
        for (String name : otherSets) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}") || name.equals(LocalStack.DEMO_SET)) {
                throw new ParameterException(spec.commandLine(), "--set " + name + ": a set besides '"
                        + LocalStack.DEMO_SET + "' is named by letters, digits, '.', '_' and '-', up to 128, "
                        + "such as demo-schema");
            }
        }
        try {
            new ServiceSettings().given(AgentConfig.class, agentProperties);
        } catch (IllegalArgumentException unknown) {
            throw new ParameterException(spec.commandLine(), "--agent-property " + unknown.getMessage());
        }
        return LocalStack.ServicePorts.defaults(agents, otherSets, agentProperties);
    }

    @Override
    public Integer call() throws Exception {
        if (step != null && !step.equals("ship-bad") && !step.equals("ship-java")) {
            throw new ParameterException(spec.commandLine(), "unknown step '" + step + "': ship-bad or ship-java");
        }
        LocalInfrastructure.Settings settings = settings();
        Path shape = settings.dataDirectory().resolve(SHAPE);
        if (step != null && Files.exists(shape)) {
            // A later step acts on the stack as it was started, whatever this command line says of its agents.
            Properties started = new Properties();
            try (Reader in = Files.newBufferedReader(shape)) {
                started.load(in);
            }
            agents = Integer.parseInt(started.getProperty("agents"));
            otherSets = started.getProperty("sets").isEmpty() ? List.of()
                    : List.of(started.getProperty("sets").split(","));
        }
        LocalStack.ServicePorts ports = ports();
        Path repository = Path.of("").toAbsolutePath();
        if (step != null) {
            Demo.Stack running = LocalStack.running(repository, settings, ports);
            try (Narrator narrator = new Narrator(running.kafka(), LocalStack.DEMO_SET, System.out)) {
                Demo demo = new Demo(running, System.out, narrator);
                if (step.equals("ship-bad")) {
                    demo.shipBad();
                } else {
                    demo.shipJava();
                }
            }
            return 0;
        }
        Files.createDirectories(settings.dataDirectory());
        Files.writeString(shape, "agents=" + agents + "\nsets=" + String.join(",", otherSets) + "\n");
        System.out.println("Starting Slipway locally in " + settings.dataDirectory().toAbsolutePath());
        long started = System.nanoTime();
        LocalStack stack = LocalStack.start(repository, settings, ports);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping Slipway...");
            try {
                stack.close();
                System.out.println("Stopped. Data kept in " + settings.dataDirectory().toAbsolutePath());
            } catch (Exception e) {
                System.err.println("Stopping failed: " + e);
            }
            stopped.countDown();
        }, "local-stack-stop"));
        stack.describe(System.out, (System.nanoTime() - started) / 1_000_000);
        Narrator narrator = new Narrator(stack.infrastructure().kafka().bootstrapServers(), LocalStack.DEMO_SET,
                System.out);
        if (!noDemo) {
            try {
                new Demo(LocalStack.running(repository, settings, ports), System.out, narrator).shipGood();
            } catch (Exception e) {
                System.out.println("The demo stopped: " + e.getMessage());
            }
        }
        System.out.printf("%nConsole: http://127.0.0.1:%d/ (token: %s). Next: './slipway-local ship-bad' in another "
                + "terminal ships a version whose health check fails; './slipway-local ship-java' compiles and ships the "
                + "Java example. Ctrl-C stops everything.%n", ports.release(), stack.tokens().get("operator"));
        stopped.await();
        return 0;
    }

    private void port(String option, int port) {
        if (port < 1 || port > 65534) {
            throw new ParameterException(spec.commandLine(), option + " takes a port number from 1 to 65534, not "
                    + port);
        }
    }
}

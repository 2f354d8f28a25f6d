package dev.slipway.deploy.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SlipwayLocalTest {

    @Test
    void theOptionsBecomeTheStacksSettingsAndPorts() {
        SlipwayLocal local = parsed("--kafka-port", "19092", "--postgres-port", "15432", "--agents", "3",
                "--set", "demo-schema", "--agent-property", "slipway.agent.switch-hooks.timeout=PT5S", "--no-demo");

        assertEquals(19092, local.settings().kafkaPort());
        assertEquals(19093, local.settings().kafkaControllerPort(), "the controller takes the next port");
        assertEquals(15432, local.settings().postgresPort());
        LocalStack.ServicePorts ports = local.ports();
        assertEquals(List.of(8090, 8091, 8092), ports.agents());
        assertEquals(List.of(new LocalStack.OtherSet("demo-schema", 8093, 9103)), ports.otherSets());
        assertEquals(Map.of("slipway.agent.switch-hooks.timeout", "PT5S"), ports.agentProperties());
        assertTrue(local.noDemo);
    }

    @Test
    void aTypoABadPortAnUnknownAgentSettingAndABadSetNameAreRefusedWithExit2AndWhy() {
        assertRefused("Unknown option: '--kafak-port'", "--kafak-port", "1");
        assertRefused("Invalid value for option '--postgres-port': 'lots' is not an int", "--postgres-port", "lots");
        assertRefused("--kafka-port takes a port number from 1 to 65534, not 70000", "--kafka-port", "70000");
        assertRefused("--agent-property slipway.agent.swich-hooks.timeout is not a setting of AgentConfig",
                "--agent-property", "slipway.agent.swich-hooks.timeout=PT5S");
        assertRefused("--set demo: a set besides 'demo'", "--set", "demo");
        assertRefused("--agents takes 1 to 100 agents, not 0", "--agents", "0");
        assertRefused("unknown step 'ship-good'", "ship-good");
    }

    private static SlipwayLocal parsed(String... args) {
        SlipwayLocal local = new SlipwayLocal();
        new CommandLine(local).parseArgs(args);
        return local;
    }

    private static void assertRefused(String why, String... args) {
        StringWriter err = new StringWriter();
        SlipwayLocal local = new SlipwayLocal();
        CommandLine command = new CommandLine(local).setErr(new PrintWriter(err));
        // Parsed and checked only: a refusal comes before anything starts.
        int exit = command.execute(args);
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().contains(why), err.toString());
    }
}

package dev.slipway.deploy.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.agent.AgentConfig;
import dev.slipway.cas.service.auth.AuthConfig;
import dev.slipway.cas.service.flagging.FlaggingConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigKeysTest {

    @Test
    void aKeyIsNamedByTheAccessorsItsPropertyCalls() {
        assertEquals("slipway.agent.canary", ConfigKeys.of(AgentConfig.class, AgentConfig::canary));
        assertEquals("slipway.agent.switch-hooks.before-drain",
                ConfigKeys.of(AgentConfig.class, c -> c.switchHooks().beforeDrain()));
        assertEquals("slipway.agent.store-url", ConfigKeys.of(AgentConfig.class, c -> c.store().storeUrl()),
                "a group included with @WithParentName adds no name");
        assertEquals("slipway.agent.service-env.PORT", ConfigKeys.of(AgentConfig.class, c -> c.serviceEnv().get("PORT")));
        assertEquals("slipway.cas.auth.tokens.ci.secret", ConfigKeys.of(AuthConfig.class, c -> c.tokens().get("ci").secret()));
        assertEquals("slipway.cas.flagging.agreement.sets.demo.required",
                ConfigKeys.of(FlaggingConfig.class, c -> c.agreement().sets().get("demo").required()));
    }

    @Test
    void aPropertyThatCallsNoAccessorOrADefaultMethodIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ConfigKeys.of(AgentConfig.class, c -> "nothing"));
        assertThrows(IllegalArgumentException.class, () -> ConfigKeys.of(AgentConfig.class, c -> {
            try {
                return c.store().blobs();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }));
    }

    @Test
    void aGivenKeyMustBeOneOfTheMappingsAMapEntryUnderAnyName() {
        assertTrue(ConfigKeys.declares(AgentConfig.class, "slipway.agent.switch-hooks.timeout"));
        assertTrue(ConfigKeys.declares(AgentConfig.class, "slipway.agent.service-env.JAVA_OPTS"));
        assertFalse(ConfigKeys.declares(AgentConfig.class, "slipway.agent.switch-hook.timeout"));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new ServiceSettings()
                .given(AgentConfig.class, Map.of("slipway.agent.swich-hooks.before-drain", "/bin/true")));
        assertTrue(refused.getMessage().startsWith("slipway.agent.swich-hooks.before-drain is not a setting of AgentConfig"),
                refused.getMessage());
    }
}

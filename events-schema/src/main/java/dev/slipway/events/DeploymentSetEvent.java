package dev.slipway.events;

/** An event about one deployment set, keyed by it so the set's events keep their order on one partition. */
public interface DeploymentSetEvent extends SlipwayEvent {

    String deploymentSet();

    @Override
    default String key() {
        return deploymentSet();
    }
}

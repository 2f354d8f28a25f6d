package dev.slipway.deploy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Checks that a loopback port is free before a server is started on it. */
public final class Ports {

    private Ports() {
    }

    /**
     * @param what   what would listen there, for the message
     * @param option the command-line option that chooses another port
     * @throws IllegalStateException naming the port and how to choose another when it is taken
     */
    public static void requireFree(int port, String what, String option) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " on 127.0.0.1, wanted for " + what
                    + ", is taken by another process: stop it, or choose another port with " + option);
        }
    }
}

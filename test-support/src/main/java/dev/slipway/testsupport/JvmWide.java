package dev.slipway.testsupport;

import java.util.function.Supplier;

/**
 * One real part per JVM, whatever the class loader. Quarkus loads test classes in class loaders of its own,
 * each with its own static fields, so a singleton kept in a static field would start a second broker,
 * database or S3 server and point an application and its test at different ones. The running part's
 * address is published as a system property instead: there is one set of those per JVM.
 */
public final class JvmWide {

    private JvmWide() {
    }

    /**
     * The address published under {@code property}; when there is none yet, {@code start} starts the part
     * (registering its own stop at JVM exit) and returns the address to publish.
     */
    public static String address(String property, Supplier<String> start) {
        // System properties are one object per JVM: a lock every class loader shares.
        synchronized (System.getProperties()) {
            String address = System.getProperty(property);
            if (address == null) {
                address = start.get();
                System.setProperty(property, address);
            }
            return address;
        }
    }
}

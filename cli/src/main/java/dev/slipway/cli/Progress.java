package dev.slipway.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/** A bar on the terminal that redraws itself; nothing at all when no terminal is attached (CI logs stay clean). */
public final class Progress {

    private static final int WIDTH = 30;

    private final String what;
    private final long total;
    private final PrintStream terminal;
    private long done;
    private int drawn = -1;

    Progress(String what, long total, PrintStream terminal) {
        this.what = what;
        this.total = Math.max(total, 1);
        this.terminal = terminal;
    }

    public void advance(long bytes) {
        done += bytes;
        int percent = (int) Math.min(100, done * 100 / total);
        if (terminal != null && percent != drawn) {
            drawn = percent;
            int filled = percent * WIDTH / 100;
            terminal.print("\r" + what + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + percent + "%");
            terminal.flush();
        }
    }

    public void finish() {
        if (terminal != null && drawn >= 0) {
            terminal.println();
        }
    }

    /** The stream, counted as it is read. */
    public InputStream counting(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    advance(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    advance(n);
                }
                return n;
            }
        };
    }
}

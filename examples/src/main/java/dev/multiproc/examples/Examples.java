package dev.multiproc.examples;

import java.util.Arrays;

/** Runs one example by name: {@code quote-server}, or {@code quote-client [SYMBOL...]}. */
public final class Examples {
    private Examples() {
    }

    public static void main(String[] args) throws Exception {
        String example = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (example) {
            case "quote-server" -> QuoteServer.main(rest);
            case "quote-client" -> QuoteClient.main(rest);
            default -> {
                System.err.println("usage: ./multiproc example quote-server        (in one terminal)");
                System.err.println("       ./multiproc example quote-client [SYMBOL...]   (in another, as often as you like)");
                System.exit(2);
            }
        }
    }
}

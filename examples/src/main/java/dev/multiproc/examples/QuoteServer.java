package dev.multiproc.examples;

import dev.multiproc.Connection;
import dev.multiproc.Listener;
import dev.multiproc.Multiproc;
import dev.multiproc.SharedMap;
import dev.multiproc.codec.Codec;

import java.io.EOFException;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A quote service: it keeps prices in the named map {@value #PRICES} (any process on the machine
 * may read it) and answers requests on the named listener {@value #SERVICE}: a client sends a
 * symbol, the server answers with its price. One virtual thread per connection.
 */
public final class QuoteServer {
    /** The listener clients connect to. */
    public static final String SERVICE = "quotes";
    /** The named map of prices, by symbol. */
    public static final String PRICES = "quote-prices";
    private static final Map<String, Double> START = Map.of("EURUSD", 1.0834, "GBPUSD", 1.2712, "USDJPY", 151.42);

    private QuoteServer() {
    }

    public static void main(String[] args) throws Exception {
        Multiproc mp = Multiproc.context();
        SharedMap<String, Double> prices = mp.openMap(PRICES, Codec.string(), Codec.doubles(), 1_000);
        prices.putAll(START);
        // the prices go with the server; its listener goes with its context, closed at exit
        Runtime.getRuntime().addShutdownHook(new Thread(() -> mp.unlink(PRICES)));
        Thread.ofPlatform().daemon().start(() -> tick(prices));
        Listener<String> listener = mp.listen(SERVICE, Codec.string());
        System.out.println("quote server (pid " + ProcessHandle.current().pid() + ") listening on '" + SERVICE
                + "'; prices in the map '" + PRICES + "'. Ctrl-C to stop.");
        try {
            while (true) {
                Connection<String> client = listener.accept();
                Thread.ofVirtual().start(() -> serve(client, prices));
            }
        } catch (IllegalStateException closedAtExit) {
            // Ctrl-C: the context closed the listener under accept()
        }
    }

    /** Moves every price a little, ten times a second. */
    private static void tick(SharedMap<String, Double> prices) {
        try {
            while (true) {
                for (String symbol : START.keySet()) {
                    prices.computeIfPresent(symbol, (s, price) -> price * (1 + ThreadLocalRandom.current().nextGaussian() * 1e-4));
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException | IllegalStateException stopped) {
            // the JVM is exiting
        }
    }

    /** Answers one client until it hangs up (end-of-file) or dies, or the server stops. */
    private static void serve(Connection<String> client, SharedMap<String, Double> prices) {
        try (client) {
            while (true) {
                String symbol = client.recv();
                Double price = prices.get(symbol);
                client.send(price == null ? symbol + " unknown" : String.format("%s %.5f", symbol, price));
            }
        } catch (EOFException | InterruptedException hungUp) {
            // the client closed its end, or ended
        } catch (IllegalStateException closedAtExit) {
            // Ctrl-C: the context closed the connection under recv()
        }
    }
}

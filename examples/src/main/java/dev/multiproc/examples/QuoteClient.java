package dev.multiproc.examples;

import dev.multiproc.Connection;
import dev.multiproc.Multiproc;
import dev.multiproc.SharedMap;
import dev.multiproc.codec.Codec;

import java.io.EOFException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Asks the {@link QuoteServer} for prices over a connection, then reads every price straight
 * from its named map: two independent programs meeting by name.
 */
public final class QuoteClient {
    private QuoteClient() {
    }

    public static void main(String[] args) throws Exception {
        List<String> symbols = args.length == 0 ? List.of("EURUSD", "GBPUSD", "USDJPY") : List.of(args);
        List<String> answers = ask(Multiproc.context(), symbols);
        System.out.println("asked the quote server (connection '" + QuoteServer.SERVICE + "'):");
        answers.forEach(answer -> System.out.println("  " + answer));
        System.out.println("every price, read from the map '" + QuoteServer.PRICES + "': " + prices(Multiproc.context()));
    }

    /** Connects to the quote service and asks it for each symbol's price. */
    public static List<String> ask(Multiproc mp, List<String> symbols) throws InterruptedException, EOFException {
        List<String> answers = new ArrayList<>();
        try (Connection<String> quotes = mp.connect(QuoteServer.SERVICE, Codec.string(), Duration.ofSeconds(5))) {
            for (String symbol : symbols) {
                quotes.send(symbol);
                answers.add(quotes.recv());
            }
        }
        return answers;
    }

    /** The prices in the server's named map, by symbol. */
    public static Map<String, Double> prices(Multiproc mp) {
        try (SharedMap<String, Double> prices = mp.openMap(QuoteServer.PRICES, Codec.string(), Codec.doubles(), 1_000)) {
            return new TreeMap<>(prices);
        }
    }
}

package dev.multiproc.remote;

import io.aeron.ChannelUri;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The settings a connection's own channels get: by route, by the kernel's limits, and the user's own carried over. */
class ChannelSettingsTest {
    private static final OptionalLong GENEROUS = OptionalLong.of(4L << 20);
    private static final String USER_CHANNEL = "aeron:udp?endpoint=10.213.7.1:40123";

    @Test
    void aPeerOnThisHostGetsTheLargestDatagramsAndTwoMegabyteWindows() throws UnknownHostException {
        ChannelUri settings = applied(ChannelSettings.toward(InetAddress.getLoopbackAddress(), USER_CHANNEL, GENEROUS, GENEROUS));
        assertEquals("65504", settings.get("mtu"));
        assertEquals(Integer.toString(ChannelSettings.BUFFER_BYTES), settings.get("rcv-wnd"));
        assertEquals(Integer.toString(ChannelSettings.BUFFER_BYTES), settings.get("so-rcvbuf"));
        assertEquals(Integer.toString(ChannelSettings.BUFFER_BYTES), settings.get("so-sndbuf"));
        assertTrue(ChannelSettings.onThisHost(InetAddress.getByName("127.0.0.2")));
    }

    @Test
    void aPeerElsewhereKeepsAeronsDatagramSize() throws UnknownHostException {
        // TEST-NET-1 (RFC 5737): an address no host here has
        InetAddress elsewhere = InetAddress.getByName("192.0.2.7");
        assertFalse(ChannelSettings.onThisHost(elsewhere));
        ChannelUri settings = applied(ChannelSettings.toward(elsewhere, USER_CHANNEL, GENEROUS, GENEROUS));
        assertNull(settings.get("mtu"));
        assertEquals(Integer.toString(ChannelSettings.BUFFER_BYTES), settings.get("rcv-wnd"));
    }

    @Test
    void windowsAndBuffersStayWithinWhatTheKernelAllowsAndAreLeftToAeronBelowItsDefault() throws UnknownHostException {
        InetAddress elsewhere = InetAddress.getByName("192.0.2.7");
        ChannelUri stockKernel = applied(ChannelSettings.toward(elsewhere, USER_CHANNEL, OptionalLong.of(212_992), OptionalLong.of(212_992)));
        assertEquals("212992", stockKernel.get("rcv-wnd"));
        assertEquals("212992", stockKernel.get("so-rcvbuf"));
        assertEquals("212992", stockKernel.get("so-sndbuf"));
        ChannelUri tiny = applied(ChannelSettings.toward(elsewhere, USER_CHANNEL, OptionalLong.of(65_536), OptionalLong.empty()));
        assertNull(tiny.get("rcv-wnd"));
        assertNull(tiny.get("so-rcvbuf"));
        assertNull(tiny.get("so-sndbuf"));
    }

    @Test
    void whatTheUsersChannelNamesIsCarriedOverAndNothingElseOfIt() {
        String named = USER_CHANNEL + "|mtu=8k|rcv-wnd=1m|so-sndbuf=512k|term-length=64m";
        ChannelUri settings = applied(ChannelSettings.toward(InetAddress.getLoopbackAddress(), named, GENEROUS, GENEROUS));
        assertEquals("8k", settings.get("mtu"));
        assertEquals("1m", settings.get("rcv-wnd"));
        assertEquals("512k", settings.get("so-sndbuf"));
        assertEquals(Integer.toString(ChannelSettings.BUFFER_BYTES), settings.get("so-rcvbuf"));
        assertNull(settings.get("term-length"));
    }

    @Test
    void doctorSaysWhatConnectionsGetAndHowToRaiseLimitsBelowTwoMegabytes() {
        dev.multiproc.PlatformCheck generous = ChannelSettings.check(GENEROUS, GENEROUS);
        assertTrue(generous.ok() && generous.advice().isEmpty(), generous.toString());
        assertTrue(generous.finding().contains("65504-byte datagrams toward this host")
                && generous.finding().contains("windows and receive buffers of 2097152 bytes"), generous.finding());
        dev.multiproc.PlatformCheck stock = ChannelSettings.check(OptionalLong.of(212_992), OptionalLong.of(212_992));
        assertTrue(stock.finding().contains("212992") && stock.advice().contains("net.core.rmem_max=2097152"), stock.toString());
        dev.multiproc.PlatformCheck unreadable = ChannelSettings.check(OptionalLong.empty(), OptionalLong.of(212_992));
        assertTrue(unreadable.finding().contains("receive buffers Aeron's default (net.core.rmem_max unreadable)")
                && unreadable.finding().contains("send buffers of 212992 bytes"), unreadable.toString());
    }

    @Test
    void theKernelsLimitIsReadWhole() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(ChannelSettings.RECEIVE_BUFFER_LIMIT), "no " + ChannelSettings.RECEIVE_BUFFER_LIMIT + " here");
        Process cat = new ProcessBuilder("cat", ChannelSettings.RECEIVE_BUFFER_LIMIT.toString()).start();
        long expected = Long.parseLong(new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
        assertTrue(cat.waitFor(10, TimeUnit.SECONDS));
        assertEquals(OptionalLong.of(expected), ChannelSettings.limit(ChannelSettings.RECEIVE_BUFFER_LIMIT));
    }

    /** The settings on a connection's channel, as Aeron reads them. */
    private static ChannelUri applied(String settings) {
        return ChannelUri.parse(Remote.udpChannel("127.0.0.1:0") + settings);
    }
}

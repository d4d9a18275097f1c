package io.pgtrickle.server.protocol;

import static io.pgtrickle.server.protocol.Wire.wire;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random and mutated byte streams in random chunks: the decoders may only raise {@link
 * ProtocolViolationException}, must finish, must not leak, and what they emit re-encodes to a
 * prefix of the input. Replay a failure with {@code -Dfuzz.seed=<printed seed>}.
 */
@ExtendWith(LeakCheckExtension.class)
class DecoderFuzzTest {
  private static final int ITERATIONS = 10_000;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void decodersSurviveGarbage() {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    SplittableRandom master = new SplittableRandom(seed);
    for (int i = 0; i < ITERATIONS; i++) {
      long iterationSeed = master.nextLong();
      try {
        SplittableRandom rnd = new SplittableRandom(iterationSeed);
        run(
            new FrontendDecoder(rnd.nextInt(4, 2000), rnd.nextInt(8, 300)),
            frontendStream(rnd),
            rnd);
        BackendDecoder backend = new BackendDecoder(rnd.nextInt(4, 2000));
        byte[] stream = backendStream(rnd);
        if (rnd.nextInt(4) == 0) {
          backend.expectSslResponse();
          stream = concat(new byte[] {(byte) "SNGE".charAt(rnd.nextInt(4))}, stream);
        }
        run(backend, stream, rnd);
      } catch (Throwable t) {
        throw new AssertionError(
            "fuzz failed: seed " + seed + ", iteration " + i + " (seed " + iterationSeed + ")", t);
      }
    }
    // Guards the generator: both outcomes must be common, or the fuzz tests little.
    assertThat(violations).as("runs ending in a violation").isGreaterThan(ITERATIONS / 10);
    assertThat(frames).as("runs decoding something").isGreaterThan(ITERATIONS / 2);
    System.out.printf(
        "fuzz seed %d: %d violations, %d runs with output%n", seed, violations, frames);
  }

  private static void run(FrameDecoderBase decoder, byte[] stream, SplittableRandom rnd) {
    byte[] input = mutate(stream, rnd);
    EmbeddedChannel ch = new EmbeddedChannel(decoder);
    ByteArrayOutputStream emitted = new ByteArrayOutputStream();
    boolean violated = false;
    try {
      int pos = 0;
      while (pos < input.length) {
        int end = Math.min(input.length, pos + 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 200));
        boolean failedBefore = decoder.isFailed();
        int before = emitted.size();
        try {
          ch.writeInbound(Wire.buf(input, pos, end));
        } catch (ProtocolViolationException e) {
          assertThat(violated).as("a second violation").isFalse();
          violated = true;
        }
        Object o;
        while ((o = ch.readInbound()) != null) {
          try {
            emitted.writeBytes(Wire.reencode(o));
            peek(o);
          } finally {
            ReferenceCountUtil.release(o);
          }
        }
        // Only the write that raised the violation may still deliver the frames before it.
        assertThat(failedBefore && emitted.size() != before)
            .as("output after a violation")
            .isFalse();
        pos = end;
      }
      assertThat(violated).isEqualTo(decoder.isFailed());
      byte[] out = emitted.toByteArray();
      assertThat(out.length).isLessThanOrEqualTo(input.length);
      assertThat(Arrays.copyOf(input, out.length)).as("emitted bytes are a prefix").isEqualTo(out);
      violations += violated ? 1 : 0;
      frames += emitted.size() > 0 ? 1 : 0;
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  private static int violations;
  private static int frames;

  /** Parses what the proxy would look into; only a protocol violation may come of it. */
  private static void peek(Object o) {
    if (o instanceof Frame f) {
      try {
        switch (f.type()) {
          case 'E', 'N' -> MessageReader.fields(f.payload());
          case 'Q' -> MessageReader.query(f.payload());
          case 'Z' -> MessageReader.readyForQueryStatus(f.payload());
          case 'P' -> MessageReader.parse(f.payload(), StandardCharsets.UTF_8);
          case 'B' -> MessageReader.bind(f.payload(), StandardCharsets.UTF_8);
          case 'C' -> {
            MessageReader.target(f.payload(), StandardCharsets.UTF_8);
            MessageReader.commandTag(f.payload());
          }
          case 'D' -> MessageReader.dataRow(f.payload(), StandardCharsets.UTF_8);
          case 'S' -> MessageReader.parameterStatus(f.payload());
          default -> MessageReader.executePortal(f.payload(), StandardCharsets.UTF_8);
        }
      } catch (ProtocolViolationException expected) {
        // malformed payloads are expected here
      }
    }
  }

  private static byte[] frontendStream(SplittableRandom rnd) {
    Wire w = wire();
    switch (rnd.nextInt(5)) {
      case 0 -> w.sslRequest();
      case 1 -> w.gssEncRequest();
      case 2 -> {
        return w.cancelRequest(rnd.nextInt(), rnd.nextInt()).bytes();
      }
      default -> {}
    }
    return concat(
        w.startup(Map.of("user", "u" + rnd.nextInt(100))).bytes(),
        randomFrames(rnd, "QPBDESHCXdcfFp"));
  }

  private static byte[] backendStream(SplittableRandom rnd) {
    return rnd.nextBoolean() ? Wire.serverSession() : randomFrames(rnd, "RKSZTDCIEN123ntsGHWAv");
  }

  private static byte[] randomFrames(SplittableRandom rnd, String types) {
    if (rnd.nextInt(10) == 0) {
      return Wire.session();
    }
    Wire w = wire();
    int n = rnd.nextInt(8);
    for (int i = 0; i < n; i++) {
      byte[] body = new byte[rnd.nextInt(rnd.nextBoolean() ? 4 : 300)];
      for (int j = 0; j < body.length; j++) {
        body[j] =
            (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : "ESCM\0abc".charAt(rnd.nextInt(8)));
      }
      w.msg(types.charAt(rnd.nextInt(types.length())), body);
    }
    return w.bytes();
  }

  private static byte[] mutate(byte[] stream, SplittableRandom rnd) {
    if (rnd.nextInt(10) == 0) {
      byte[] garbage = new byte[rnd.nextInt(200)];
      for (int i = 0; i < garbage.length; i++) {
        garbage[i] = (byte) rnd.nextInt(256);
      }
      return garbage;
    }
    byte[] b = stream;
    int mutations = rnd.nextInt(4);
    for (int m = 0; m < mutations && b.length > 0; m++) {
      int at = rnd.nextInt(b.length);
      switch (rnd.nextInt(5)) {
        case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
        case 1 ->
            b =
                concat(
                    Arrays.copyOf(b, at),
                    concat(
                        new byte[] {(byte) rnd.nextInt(256)}, Arrays.copyOfRange(b, at, b.length)));
        case 2 -> b = concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + 1, b.length));
        case 3 -> {
          // A random length field: the most dangerous value a peer controls.
          if (at + 4 <= b.length) {
            int v = rnd.nextBoolean() ? rnd.nextInt() : rnd.nextInt(-8, 64);
            b[at] = (byte) (v >>> 24);
            b[at + 1] = (byte) (v >>> 16);
            b[at + 2] = (byte) (v >>> 8);
            b[at + 3] = (byte) v;
          }
        }
        default -> b = Arrays.copyOf(b, at);
      }
    }
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
